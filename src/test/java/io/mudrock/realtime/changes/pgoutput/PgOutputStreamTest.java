package io.mudrock.realtime.changes.pgoutput;

import io.mudrock.realtime.changes.catalog.JdbcCatalog;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.changes.ChangeAssembler;
import io.mudrock.realtime.changes.ChangePayloadSerializer;
import io.mudrock.realtime.changes.ColumnInfo;
import io.mudrock.realtime.changes.RelationCache;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.TableInfo;
import io.mudrock.realtime.changes.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decodes a real pgoutput stream of an embedded PostgreSQL 17. */
class PgOutputStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.start();
        db.execute("create type mood as enum ('sad', 'ok', 'happy')");
    }

    @AfterAll
    static void stop() throws Exception {
        db.close();
    }

    /** A fresh table set up for streaming; every test gets its own slot and publication. */
    private static String setUp(String table, String ddl, String... extra) throws Exception {
        String name = table + "_" + SEQ.incrementAndGet();
        db.execute("create table " + name + " " + ddl);
        for (String sql : extra) {
            db.execute(sql.replace("$T", name));
        }
        db.execute("create publication " + name + "_pub for table " + name);
        return name;
    }

    private static <T> List<T> only(List<WalMessage> messages, Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void insertCarriesBeginRelationTypeAndTextValues() throws Exception {
        String t = setUp("todos", "(id int8 primary key, task text, done bool, m mood)");
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            Instant before = Instant.now().minusSeconds(60);
            db.execute("insert into " + t + " values (1, 'write tests', false, 'ok'), (2, null, true, null)");
            List<WalMessage> messages = stream.readCommits(1);

            WalMessage.Begin begin = assertInstanceOf(WalMessage.Begin.class, messages.get(0));
            WalMessage.Commit commit = assertInstanceOf(WalMessage.Commit.class, messages.get(messages.size() - 1));
            assertEquals(begin.finalLsn(), commit.commitLsn());
            assertEquals(begin.commitTime(), commit.commitTime());
            Instant committed = WalMessage.toInstant(begin.commitTime());
            assertTrue(committed.isAfter(before) && committed.isBefore(Instant.now().plusSeconds(60)), committed::toString);

            WalMessage.Type type = only(messages, WalMessage.Type.class).get(0);
            assertEquals("mood", type.name());
            assertEquals("public", type.namespace());

            WalMessage.Relation relation = only(messages, WalMessage.Relation.class).get(0);
            assertEquals(t, relation.name());
            assertEquals("public", relation.namespace());
            assertEquals(ReplicaIdentity.DEFAULT, relation.replicaIdentity());
            assertEquals(List.of("id", "task", "done", "m"), relation.columns().stream().map(WalMessage.Relation.Column::name).toList());
            assertEquals(List.of(true, false, false, false), relation.columns().stream().map(WalMessage.Relation.Column::isKey).toList());
            assertEquals(List.of(20, 25, 16, type.oid()), relation.columns().stream().map(WalMessage.Relation.Column::typeOid).toList());

            List<WalMessage.Insert> inserts = only(messages, WalMessage.Insert.class);
            assertEquals(2, inserts.size());
            assertEquals(relation.oid(), inserts.get(0).relationOid());
            TupleData first = inserts.get(0).newTuple();
            assertEquals(List.of("1", "write tests", "f", "ok"), List.of(first.text(0), first.text(1), first.text(2), first.text(3)));
            TupleData second = inserts.get(1).newTuple();
            assertEquals(TupleData.Kind.TEXT, second.kind(0));
            assertTrue(second.isNull(1));
            assertEquals("t", second.text(2));
            assertTrue(second.isNull(3));
        }
    }

    @Test
    void updateAndDeleteCarryKeysAsReplicaIdentityDefaultDefines() throws Exception {
        String t = setUp("items", "(id int4 primary key, name text, qty int4)");
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            db.execute("insert into " + t + " values (1, 'a', 5)",
                    "update " + t + " set qty = 6 where id = 1",
                    "update " + t + " set id = 2, name = 'b' where id = 1",
                    "delete from " + t + " where id = 2");
            List<WalMessage> messages = stream.readCommits(4);

            List<WalMessage.Update> updates = only(messages, WalMessage.Update.class);
            WalMessage.Update keptKey = updates.get(0);
            assertNull(keptKey.oldKey());
            assertNull(keptKey.oldTuple());
            assertEquals("6", keptKey.newTuple().text(2));

            WalMessage.Update changedKey = updates.get(1);
            assertNull(changedKey.oldTuple());
            TupleData oldKey = changedKey.oldKey();
            assertEquals("1", oldKey.text(0));
            assertTrue(oldKey.isNull(1), "non-key columns are sent as nulls in a key tuple");
            assertEquals("2", changedKey.newTuple().text(0));

            WalMessage.Delete delete = only(messages, WalMessage.Delete.class).get(0);
            assertNull(delete.oldTuple());
            assertEquals("2", delete.oldKey().text(0));
            assertTrue(delete.oldKey().isNull(2));

            // What subscribers see: old_record has only the key, taken from the new row when it did not change.
            ChangeSink sink = new ChangeSink();
            messages.forEach(sink::accept);
            assertEquals("{\"id\":1,\"qty\":6,\"name\":\"a\"}", sink.payload(1).get("record").toString());
            assertEquals("{\"id\":1}", sink.payload(1).get("old_record").toString());
            assertEquals("{\"id\":1}", sink.payload(2).get("old_record").toString());
            assertEquals("{\"id\":2}", sink.payload(3).get("old_record").toString());
            assertFalse(sink.payload(3).has("record"));
        }
    }

    @Test
    void unchangedToastValueIsLeftOutUnlessTheOldRowIsSent() throws Exception {
        String big = "x".repeat(3000);
        String keyed = setUp("docs", "(id int4 primary key, title text, body text)",
                "alter table $T alter column body set storage external");
        String full = setUp("docs_full", "(id int4 primary key, title text, body text)",
                "alter table $T alter column body set storage external", "alter table $T replica identity full");
        try (TestDatabase.Replication keyedStream = db.replicate(keyed + "_slot", keyed + "_pub");
             TestDatabase.Replication fullStream = db.replicate(full + "_slot", full + "_pub")) {
            for (String t : List.of(keyed, full)) {
                db.execute("insert into " + t + " values (1, 'a', '" + big + "')",
                        "update " + t + " set title = 'b' where id = 1");
            }

            List<WalMessage> keyedMessages = keyedStream.readCommits(2);
            WalMessage.Update update = only(keyedMessages, WalMessage.Update.class).get(0);
            assertTrue(update.newTuple().isUnchangedToast(2), "external TOAST value not updated is not sent");
            ChangeSink keyedSink = new ChangeSink();
            keyedMessages.forEach(keyedSink::accept);
            assertEquals("{\"id\":1,\"title\":\"b\"}", keyedSink.payload(1).get("record").toString());
            assertEquals(big, keyedSink.payload(0).get("record").get("body").asText());

            List<WalMessage> fullMessages = fullStream.readCommits(2);
            WalMessage.Relation relation = only(fullMessages, WalMessage.Relation.class).get(0);
            assertEquals(ReplicaIdentity.FULL, relation.replicaIdentity());
            assertTrue(relation.columns().stream().allMatch(WalMessage.Relation.Column::isKey), "FULL flags every column");
            WalMessage.Update fullUpdate = only(fullMessages, WalMessage.Update.class).get(0);
            assertTrue(fullUpdate.newTuple().isUnchangedToast(2));
            assertEquals(big, fullUpdate.oldTuple().text(2), "the old row carries the detoasted value");
            ChangeSink fullSink = new ChangeSink();
            fullMessages.forEach(fullSink::accept);
            JsonNode payload = fullSink.payload(1);
            assertEquals(big, payload.get("record").get("body").asText(), "record takes the unchanged value from the old row");
            assertEquals("a", payload.get("old_record").get("title").asText());
            assertEquals(Set.of("id", "title", "body"), fieldNames(payload.get("old_record")));
        }
    }

    @Test
    void replicaIdentityFullSendsWholeOldRowsAndPrimaryKeyComesFromTheCatalog() throws Exception {
        String t = setUp("events", "(id int4 primary key, kind text, at timestamptz)", "alter table $T replica identity full");
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            db.execute("insert into " + t + " values (7, 'click', '2024-05-01 10:00:00.25+00')",
                    "update " + t + " set kind = 'tap' where id = 7",
                    "delete from " + t);
            List<WalMessage> messages = stream.readCommits(3);
            WalMessage.Update update = only(messages, WalMessage.Update.class).get(0);
            assertNull(update.oldKey());
            assertEquals("click", update.oldTuple().text(1));
            WalMessage.Delete delete = only(messages, WalMessage.Delete.class).get(0);
            assertNull(delete.oldKey());
            assertEquals("2024-05-01 10:00:00.25+00", delete.oldTuple().text(2));

            ChangeSink sink = new ChangeSink();
            messages.forEach(sink::accept);
            TableInfo table = sink.changes.get(0).table();
            assertEquals(List.of(true, false, false), table.columns().stream().map(ColumnInfo::primaryKey).toList());
            JsonNode deleted = sink.payload(2);
            assertEquals("{\"at\":\"2024-05-01T10:00:00.25+00:00\",\"id\":7,\"kind\":\"tap\"}",
                    deleted.get("old_record").toString());
        }
    }

    @Test
    void addColumnMidStreamSendsANewRelationThatReplacesTheOldShape() throws Exception {
        String t = setUp("notes", "(id int4 primary key, body text)");
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            db.execute("insert into " + t + " values (1, 'one')",
                    "alter table " + t + " add column pinned bool default false",
                    "insert into " + t + " values (2, 'two', true)");
            List<WalMessage> messages = stream.readCommits(2);
            List<WalMessage.Relation> relations = only(messages, WalMessage.Relation.class);
            assertEquals(2, relations.size());
            assertEquals(2, relations.get(0).columns().size());
            assertEquals(List.of("id", "body", "pinned"),
                    relations.get(1).columns().stream().map(WalMessage.Relation.Column::name).toList());

            ChangeSink sink = new ChangeSink();
            messages.forEach(sink::accept);
            assertNotSame(sink.changes.get(0).table(), sink.changes.get(1).table());
            assertEquals("{\"id\":2,\"body\":\"two\",\"pinned\":true}", sink.payload(1).get("record").toString());
            assertEquals("[{\"name\":\"id\",\"type\":\"int4\"},{\"name\":\"body\",\"type\":\"text\"},{\"name\":\"pinned\",\"type\":\"bool\"}]",
                    sink.payload(1).get("columns").toString());
        }
    }

    @Test
    void truncateAndLogicalMessagesAreDecoded() throws Exception {
        String t = setUp("logs", "(id serial primary key, line text)");
        String other = setUp("logs_other", "(id int4 primary key)");
        db.execute("alter publication " + t + "_pub add table " + other);
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            db.execute("insert into " + t + "(line) values ('x')",
                    "truncate " + t + ", " + other + " restart identity cascade",
                    "select pg_logical_emit_message(true, 'mudrock', 'hello')");
            List<WalMessage> messages = stream.readCommits(3);
            WalMessage.Truncate truncate = only(messages, WalMessage.Truncate.class).get(0);
            assertEquals(2, truncate.relationOids().size());
            assertTrue(truncate.cascade());
            assertTrue(truncate.restartIdentity());
            WalMessage.LogicalMessage message = only(messages, WalMessage.LogicalMessage.class).get(0);
            assertTrue(message.transactional());
            assertEquals("mudrock", message.prefix());
            assertEquals("hello", new String(message.content(), java.nio.charset.StandardCharsets.UTF_8));
            ChangeSink sink = new ChangeSink();
            messages.forEach(sink::accept);
            assertEquals(1, sink.changes.size(), "truncates and messages produce no row changes");
        }
    }

    @Test
    void insertPayloadMatchesTheUpstreamShape() throws Exception {
        String t = setUp("tasks", "(id int8 primary key, created_at timestamptz, task text, tags text[], meta jsonb)");
        try (TestDatabase.Replication stream = db.replicate(t + "_slot", t + "_pub")) {
            db.execute("insert into " + t + " values (46, '2025-11-03 09:32:55+00', 'content', '{a,\"b c\"}', '{\"k\": [1, 2.50]}')");
            List<WalMessage> messages = stream.readCommits(1);
            ChangeSink sink = new ChangeSink();
            messages.forEach(sink::accept);
            WalMessage.Begin begin = only(messages, WalMessage.Begin.class).get(0);
            String expected = "{\"schema\":\"public\",\"table\":\"" + t + "\",\"commit_timestamp\":\""
                    + ChangePayloadSerializer.commitTimestamp(begin.commitTime()) + "\",\"type\":\"INSERT\",\"columns\":["
                    + "{\"name\":\"id\",\"type\":\"int8\"},{\"name\":\"created_at\",\"type\":\"timestamptz\"},"
                    + "{\"name\":\"task\",\"type\":\"text\"},{\"name\":\"tags\",\"type\":\"_text\"},{\"name\":\"meta\",\"type\":\"jsonb\"}],"
                    + "\"record\":{\"id\":46,\"meta\":{\"k\": [1, 2.50]},\"tags\":[\"a\",\"b c\"],\"task\":\"content\","
                    + "\"created_at\":\"2025-11-03T09:32:55+00:00\"},\"errors\":null}";
            assertEquals(expected, sink.json.get(0));
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Drives assembler and serializer the way the replication task will. */
    private static final class ChangeSink {
        private final PgTypeRegistry types = new PgTypeRegistry(new JdbcCatalog(db::connect));
        private final ChangeAssembler assembler = new ChangeAssembler(types, new RelationCache(types, new JdbcCatalog(db::connect)));
        private final ChangePayloadSerializer serializer = new ChangePayloadSerializer();
        private final List<RowChange> changes = new ArrayList<>();
        private final List<String> json = new ArrayList<>();

        void accept(WalMessage message) {
            RowChange change = assembler.accept(message);
            if (change != null) {
                changes.add(change);
                json.add(serializer.serialize(change));
            }
        }

        JsonNode payload(int index) {
            try {
                return JSON.readTree(json.get(index));
            } catch (Exception e) {
                throw new AssertionError(json.get(index), e);
            }
        }
    }
}
