package io.mudrock.realtime.startup;

import io.mudrock.realtime.auth.JwtVerifier;
import io.mudrock.realtime.auth.TokenSigner;
import io.mudrock.realtime.changes.ChangeAssembler;
import io.mudrock.realtime.changes.ChangePayloadSerializer;
import io.mudrock.realtime.changes.ColumnMask;
import io.mudrock.realtime.changes.PreparedChange;
import io.mudrock.realtime.changes.RelationCache;
import io.mudrock.realtime.changes.RowChange;
import io.mudrock.realtime.changes.pgoutput.PgOutputDecoder;
import io.mudrock.realtime.changes.values.PgTypeRegistry;
import io.mudrock.realtime.channel.ChannelRegistry;
import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.ChannelTenant;
import io.mudrock.realtime.channel.ClientLink;
import io.mudrock.realtime.channel.NoPostgresChanges;
import io.mudrock.realtime.channel.SocketChannels;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.channel.TokenVerifier;
import io.mudrock.realtime.channel.TopicKey;
import io.mudrock.realtime.channel.TopicPermissions;
import io.mudrock.realtime.protocol.DecodeResult;
import io.mudrock.realtime.protocol.FanOutFrames;
import io.mudrock.realtime.protocol.FrameDecoder;
import io.mudrock.realtime.protocol.FrameEncoder;
import io.mudrock.realtime.protocol.InboundMessage;
import io.mudrock.realtime.protocol.OutboundFrame;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.socket.TenantTokenVerifier;
import io.mudrock.realtime.tenant.Tenant;
import io.mudrock.realtime.wire.CloseStatus;
import io.mudrock.realtime.wire.FrameParser;
import io.mudrock.realtime.wire.FrameWriter;
import io.mudrock.realtime.wire.Opcode;
import io.mudrock.realtime.wire.WebSocketHandshake;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The work of {@link JitWarmup}: rounds of what the first clients make the server do, through the
 * production classes, on a throwaway tenant id that no client can name and in-memory sockets.
 *
 * <p>One round: six sockets (half vsn 1.0.0, half 2.0.0) each pass the handshake's checks (key,
 * {@code vsn}, connect token), then send masked client frames through the servlet-upgrade
 * transport's {@link FrameParser} and {@link FrameDecoder} into their {@link SocketChannels}: a
 * heartbeat; a join on one topic with an HS256 {@code access_token}, verified by {@link JwtVerifier}
 * with the JDK's HMAC (the path of every HS256 tenant), with a {@code postgres_changes} binding on
 * the vsn 1.0.0 sockets; a presence track on two of them; a text broadcast each and a binary
 * (kind 3) one from the vsn 2.0.0 ones, fanned out to the others by the {@link ChannelRegistry} and
 * encoded per serializer; then a leave and the socket's close. Every frame queued on a socket is
 * written as the transport writes it ({@link FrameWriter}). Then one transaction of synthetic
 * pgoutput messages (Relation, Begin, Insert, Update, Delete, Commit over a table of common column
 * types) is decoded, assembled, serialized with {@link ChangePayloadSerializer} and encoded as
 * {@code postgres_changes} frames for both serializers.
 *
 * <p>Not thread-safe: one thread runs the rounds.
 */
final class WarmupRounds {

    private static final int SOCKETS_PER_ROUND = 6;
    private static final int TOPICS = 4;
    private static final int MAX_MESSAGE_BYTES = 1 << 20;
    private static final int TABLE_OID = 0x7fff_0001;
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

    private final String tenantId;
    private final ChannelServices services;
    private final String token;
    /** Handshake keys and frame masks: any bytes do, so no secure source is spent on them. */
    private final SplittableRandom random = new SplittableRandom();
    private final byte[][] transaction;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final PgTypeRegistry types = new PgTypeRegistry(null);
    private final ChangeAssembler assembler = new ChangeAssembler(types,
            new RelationCache(types, oid -> Set.of("id")));
    private final ChangePayloadSerializer serializer = new ChangePayloadSerializer();

    /**
     * What the rounds did.
     *
     * @param rounds rounds run
     * @param sockets sockets opened (each verified its connect token)
     * @param joins channels joined and left (each verified its access token)
     * @param broadcasts broadcasts sent, each fanned out to the topic's other channels
     * @param presenceTracks presence tracks
     * @param changes row changes decoded, serialized and encoded
     * @param framesIn client frames parsed
     * @param framesOut server frames written
     * @param bytesOut bytes of those frames
     */
    record Counts(long rounds, long sockets, long joins, long broadcasts, long presenceTracks, long changes,
            long framesIn, long framesOut, long bytesOut) {

        /** Nothing done. */
        static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private long rounds;
    private long sockets;
    private long joins;
    private long broadcasts;
    private long presenceTracks;
    private long changes;
    private long framesIn;
    private long framesOut;
    private long bytesOut;

    /**
     * @param tenantId the throwaway tenant id the sockets use
     * @param registry the registry the channels join
     * @param timer where the channels' timers go (error back-off, token expiry); the caller shuts it down
     */
    WarmupRounds(String tenantId, ChannelRegistry registry, ScheduledExecutorService timer) {
        this.tenantId = tenantId;
        // A fresh secret each time: tokens signed with it mean nothing anywhere else.
        byte[] secretBytes = new byte[32];
        new SecureRandom().nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        Instant now = Instant.now();
        this.token = new TokenSigner(secret).sign("authenticated", now, now.plus(TOKEN_LIFETIME));
        Tenant tenant = new Tenant(null, tenantId, "warm-up", secret, null, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, 100, Integer.MAX_VALUE, Integer.MAX_VALUE, 3000, null, null, false, false, false,
                "postgres_cdc_rls", 0, "gen_rpc", "{}", null, null, null);
        ChannelTenant channelTenant = new ChannelTenant(tenantId, false, false, Integer.MAX_VALUE, Integer.MAX_VALUE,
                100, Integer.MAX_VALUE, Integer.MAX_VALUE, 3000, ChannelTenant.DEFAULT_CLIENT_PRESENCE_MAX_CALLS,
                ChannelTenant.DEFAULT_CLIENT_PRESENCE_WINDOW);
        this.services = new ChannelServices(registry,
                id -> tenantId.equals(id) ? Optional.of(channelTenant) : Optional.empty(),
                verifier(new JwtVerifier(Clock.systemUTC()), tenant),
                (id, subTopic, claims, deadline) -> TopicPermissions.PUBLIC, // only public channels are joined
                (id, subTopic, since, limit, deadline) -> List.of(),
                NoPostgresChanges.INSTANCE, timer, Runnable::run, Duration.ZERO, Duration.ofSeconds(5));
        this.transaction = Pgoutput.transaction(TABLE_OID);
    }

    /** @return what the rounds did so far */
    Counts counts() {
        return new Counts(rounds, sockets, joins, broadcasts, presenceTracks, changes, framesIn, framesOut, bytesOut);
    }

    /** Runs one round: a handful of milliseconds once warm, so the caller's deadline is kept closely. */
    void run() {
        rounds++;
        String topic = "realtime:warmup-" + (rounds % TOPICS);
        WarmSocket[] opened = new WarmSocket[SOCKETS_PER_ROUND];
        for (int i = 0; i < opened.length; i++) {
            opened[i] = open(i % 2 == 0 ? Serializer.V2 : Serializer.V1);
        }
        for (WarmSocket socket : opened) {
            socket.text(socket.frame(null, "h" + rounds, "phoenix", "heartbeat", "{}"));
            socket.text(socket.frame("1", "1", topic, "phx_join", joinPayload(socket.link.serializer == Serializer.V1)));
            joins++;
        }
        // A refused join would warm the refusal path instead, silently: make it the warm-up's failure.
        TopicKey key = new TopicKey(tenantId, false, topic.substring(TopicKey.PREFIX.length()));
        if (services.registry().listeners(key) != opened.length) {
            throw new IllegalStateException("the warm-up's own joins were not all accepted");
        }
        for (int i = 0; i < 2; i++) {
            opened[i].text(opened[i].frame("1", "2", topic, "presence",
                    "{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"user\":\"u" + i + "\",\"at\":" + rounds + "}}"));
            presenceTracks++;
        }
        for (WarmSocket socket : opened) {
            socket.text(socket.frame("1", "3", topic, "broadcast",
                    "{\"type\":\"broadcast\",\"event\":\"move\",\"payload\":{\"x\":" + rounds + ",\"y\":1.5,\"note\":\"warm-up\"}}"));
            broadcasts++;
            if (socket.link.serializer == Serializer.V2) {
                socket.binary(kind3("1", "4", topic, "move", "{\"x\":" + rounds + "}"));
                broadcasts++;
            }
        }
        for (WarmSocket socket : opened) {
            socket.text(socket.frame("1", "5", topic, "phx_leave", "{}"));
            socket.close();
        }
        changes(topic);
    }

    /** A socket's handshake checks, as the upgrade servlet makes them, then its channel table. */
    private WarmSocket open(Serializer vsn) {
        byte[] key = new byte[16];
        random.nextBytes(key);
        if (!(WebSocketHandshake.check("Upgrade", WebSocketHandshake.VERSION, Base64.getEncoder().encodeToString(key))
                instanceof WebSocketHandshake.Accept)) {
            throw new IllegalStateException("the warm-up's own handshake was refused");
        }
        Serializer negotiated = Serializer.fromVsn(vsn.vsn()).orElseThrow();
        if (!(services.tokens().verify(tenantId, token) instanceof TokenVerdict.Accepted)) {
            throw new IllegalStateException("the warm-up's own connect token was refused");
        }
        sockets++;
        return new WarmSocket(new WarmLink("warmup-" + sockets, negotiated));
    }

    private String joinPayload(boolean withBinding) {
        String changes = withBinding ? "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"warmup\"}]" : "[]";
        return "{\"config\":{\"broadcast\":{\"ack\":false,\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},"
                + "\"postgres_changes\":" + changes + ",\"private\":false},\"access_token\":\"" + token
                + "\",\"version\":\"realtime-js/2.119.1\"}";
    }

    /** One transaction through decoder, assembler and serializer, and its frames for both serializers. */
    private void changes(String topic) {
        long id = 1;
        for (byte[] message : transaction) {
            RowChange change = assembler.accept(decoder.decode(ByteBuffer.wrap(message)));
            if (change == null) {
                continue;
            }
            PreparedChange prepared = serializer.prepare(change);
            String data = serializer.serialize(prepared, ColumnMask.all(change.table()), false);
            FanOutFrames frames = FrameEncoder.postgresChanges(topic, new long[] {id++}, data);
            for (Serializer s : Serializer.values()) {
                frames.frameFor(s).ifPresent(this::written);
            }
            changes++;
        }
    }

    /** A frame as the servlet-upgrade transport puts it on the wire. */
    private void written(OutboundFrame frame) {
        int opcode = frame instanceof OutboundFrame.Binary ? Opcode.BINARY : Opcode.TEXT;
        bytesOut += FrameWriter.frame(opcode, frame.wireBytes()).length;
        framesOut++;
    }

    /** Connect and join token checks as {@code TenantTokenVerifier} makes them, with the throwaway tenant. */
    private static TokenVerifier verifier(JwtVerifier jwt, Tenant tenant) {
        return (id, token) -> TenantTokenVerifier.verdictOf(token, jwt.verifyWithRoleAndExp(token, tenant));
    }

    /** realtime-js's kind-3 frame: a client's binary broadcast push with a JSON payload. */
    private static byte[] kind3(String joinRef, String ref, String topic, String event, String payloadJson) {
        byte[][] header = {bytes(joinRef), bytes(ref), bytes(topic), bytes(event), new byte[0]};
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + payloadJson.length());
        out.write(3);
        for (byte[] part : header) {
            out.write(part.length);
        }
        out.write(1); // JSON encoding
        for (byte[] part : header) {
            out.writeBytes(part);
        }
        out.writeBytes(bytes(payloadJson));
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** One in-memory socket: client frames in through the wire parser, frames out through the writer. */
    private final class WarmSocket implements FrameParser.Listener {
        final WarmLink link;
        final SocketChannels channels;
        final FrameParser parser;
        private final byte[] mask = new byte[4];

        WarmSocket(WarmLink link) {
            this.link = link;
            this.channels = new SocketChannels(link, tenantId, token, services);
            this.parser = new FrameParser(MAX_MESSAGE_BYTES, this);
        }

        String frame(String joinRef, String ref, String topic, String event, String payload) {
            if (link.serializer == Serializer.V2) {
                return "[" + quoted(joinRef) + "," + quoted(ref) + "," + quoted(topic) + "," + quoted(event) + ","
                        + payload + "]";
            }
            return "{\"topic\":" + quoted(topic) + ",\"event\":" + quoted(event) + ",\"payload\":" + payload
                    + ",\"ref\":" + quoted(ref) + (joinRef == null ? "" : ",\"join_ref\":" + quoted(joinRef)) + "}";
        }

        void text(String text) {
            feed(Opcode.TEXT, bytes(text));
        }

        void binary(byte[] payload) {
            feed(Opcode.BINARY, payload);
        }

        void close() {
            channels.socketClosed();
        }

        /** A masked client frame, as browsers send them. */
        private void feed(int opcode, byte[] payload) {
            random.nextBytes(mask);
            int length = payload.length;
            int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
            byte[] frame = new byte[header + 4 + length];
            frame[0] = (byte) (0x80 | opcode);
            if (length < 126) {
                frame[1] = (byte) (0x80 | length);
            } else if (length < 65_536) {
                frame[1] = (byte) (0x80 | 126);
                frame[2] = (byte) (length >>> 8);
                frame[3] = (byte) length;
            } else {
                frame[1] = (byte) (0x80 | 127);
                for (int i = 0; i < 8; i++) {
                    frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
                }
            }
            System.arraycopy(mask, 0, frame, header, 4);
            for (int i = 0; i < length; i++) {
                frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
            }
            framesIn++;
            parser.feed(frame, 0, frame.length);
        }

        @Override
        public void onText(String text) {
            dispatch(FrameDecoder.decodeText(link.serializer, text));
        }

        @Override
        public void onBinary(ByteBuffer bytes) {
            dispatch(FrameDecoder.decodeBinary(link.serializer, bytes));
        }

        private void dispatch(DecodeResult result) {
            if (!(result instanceof InboundMessage message)) {
                throw new IllegalStateException("the warm-up's own frame did not decode: " + result);
            }
            channels.handle(message);
        }

        @Override
        public void onPing(byte[] payload) {
            throw new IllegalStateException("the warm-up sends no pings");
        }

        @Override
        public void onPong() {
            throw new IllegalStateException("the warm-up sends no pongs");
        }

        @Override
        public void onClose(CloseStatus status) {
            throw new IllegalStateException("the warm-up sends no close frames");
        }

        @Override
        public void onError(CloseStatus status) {
            throw new IllegalStateException("the warm-up's own frame broke the protocol: " + status);
        }
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }

    /** The channel layer's side of an in-memory socket: what it queues is written out at once. */
    private final class WarmLink implements ClientLink {
        private final String id;
        private final Serializer serializer;

        WarmLink(String id, Serializer serializer) {
            this.id = id;
            this.serializer = serializer;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Serializer serializer() {
            return serializer;
        }

        @Override
        public void send(OutboundFrame frame) {
            written(frame);
        }

        @Override
        public void publishThenSend(Runnable publish, OutboundFrame frame) {
            publish.run();
            written(frame);
        }

        @Override
        public void close(int code, String reason) {
            throw new IllegalStateException("the server closed a warm-up socket: " + code + " " + reason);
        }
    }

    /** pgoutput protocol version 1 messages, laid out as PostgreSQL's walsender sends them. */
    private static final class Pgoutput {
        /** Microseconds since 2000-01-01: a fixed commit time, as good as any. */
        private static final long COMMIT_TIME = 0x03042dfc140d56L;
        private static final String[][] COLUMNS = {
            {"id", "" + PgTypeRegistry.INT8}, {"name", "" + PgTypeRegistry.TEXT},
            {"depth", "" + PgTypeRegistry.FLOAT8}, {"active", "" + PgTypeRegistry.BOOL},
            {"tags", "1009"}, {"info", "" + PgTypeRegistry.JSONB},
            {"updated_at", "" + PgTypeRegistry.TIMESTAMPTZ}, {"owner", "" + PgTypeRegistry.UUID},
            {"price", "" + PgTypeRegistry.NUMERIC}};
        private static final String[] ROW = {"42", "well \"A\" ✓", "1234.5", "t", "{a,b,\"c d\"}",
            "{\"k\": [1, 2], \"n\": null}", "2026-12-06 21:00:00.123456+00", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "3.14159"};

        private Pgoutput() {
        }

        static byte[][] transaction(int oid) {
            String[] changed = ROW.clone();
            changed[1] = "well B";
            changed[3] = "f";
            return new byte[][] {relation(oid), begin(), row('I', oid, null, ROW), row('U', oid, null, changed),
                row('D', oid, 'K', keyOnly(changed)), commit()};
        }

        private static byte[] relation(int oid) {
            Message m = new Message('R').int32(oid).cstring("public").cstring("warmup").int8('d').int16(COLUMNS.length);
            for (int i = 0; i < COLUMNS.length; i++) {
                m.int8(i == 0 ? 1 : 0).cstring(COLUMNS[i][0]).int32(Integer.parseInt(COLUMNS[i][1])).int32(-1);
            }
            return m.bytes();
        }

        private static byte[] begin() {
            return new Message('B').int64(0x15a8070L).int64(COMMIT_TIME).int32(0x306).bytes();
        }

        private static byte[] commit() {
            return new Message('C').int8(0).int64(0x15a8070L).int64(0x15a80a0L).int64(COMMIT_TIME).bytes();
        }

        /** Insert ('I', new tuple), Update ('U', new tuple) or Delete ('D', key tuple). */
        private static byte[] row(char type, int oid, Character oldMarker, String[] values) {
            Message m = new Message(type).int32(oid).int8(oldMarker != null ? oldMarker : 'N').int16(values.length);
            for (String value : values) {
                if (value == null) {
                    m.int8('n');
                } else {
                    byte[] text = bytes(value);
                    m.int8('t').int32(text.length).raw(text);
                }
            }
            return m.bytes();
        }

        private static String[] keyOnly(String[] row) {
            String[] key = new String[row.length];
            key[0] = row[0];
            return key;
        }

        /** Big-endian fields, as the replication protocol writes them. */
        private static final class Message {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

            Message(char type) {
                out.write(type);
            }

            Message int8(int v) {
                out.write(v);
                return this;
            }

            Message int16(int v) {
                out.write(v >>> 8);
                out.write(v);
                return this;
            }

            Message int32(int v) {
                return int16(v >>> 16).int16(v & 0xFFFF);
            }

            Message int64(long v) {
                return int32((int) (v >>> 32)).int32((int) v);
            }

            Message cstring(String s) {
                out.writeBytes(WarmupRounds.bytes(s));
                out.write(0);
                return this;
            }

            Message raw(byte[] b) {
                out.writeBytes(b);
                return this;
            }

            byte[] bytes() {
                return out.toByteArray();
            }
        }
    }
}
