package io.mudrock.realtime.changes.values;

import io.mudrock.realtime.changes.pgoutput.WalMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps type oids to {@link PgType}s. Built-in types (oid below 10000, fixed across PostgreSQL
 * versions) are known statically; every other oid is read once through a {@link TypeLookup} and
 * cached. A pgoutput Type message drops the cache, because pgoutput sends one whenever a relation
 * using the type was invalidated, which is our only hint that an enum may have gained labels.
 *
 * <p>Thread-safe.
 */
public final class PgTypeRegistry {

    /** Commonly referenced built-in type oids. */
    public static final int BOOL = 16, BYTEA = 17, CHAR = 18, NAME = 19, INT8 = 20, INT2 = 21, INT4 = 23, TEXT = 25,
            OID = 26, JSON = 114, FLOAT4 = 700, FLOAT8 = 701, BPCHAR = 1042, VARCHAR = 1043, DATE = 1082,
            TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, INTERVAL = 1186, TIMETZ = 1266, NUMERIC = 1700,
            UUID = 2950, JSONB = 3802;

    /**
     * Built-in base, range and multirange types of PostgreSQL 17 and their arrays:
     * {@code oid typname typcategory typtype element-oid [delimiter]}. Generated from
     * {@code pg_type where oid < 10000}; int2vector/oidvector are left as plain types because their
     * text form is not an array literal.
     */
    private static final String BUILTINS = """
            16 bool B b 0
            17 bytea U b 0
            18 char Z b 0
            19 name S b 0
            20 int8 N b 0
            21 int2 N b 0
            22 int2vector A b 0
            23 int4 N b 0
            24 regproc N b 0
            25 text S b 0
            26 oid N b 0
            27 tid U b 0
            28 xid U b 0
            29 cid U b 0
            30 oidvector A b 0
            114 json U b 0
            142 xml U b 0
            143 _xml A b 142
            194 pg_node_tree Z b 0
            199 _json A b 114
            271 _xid8 A b 5069
            600 point G b 0
            601 lseg G b 0
            602 path G b 0
            603 box G b 0 ;
            604 polygon G b 0
            628 line G b 0
            629 _line A b 628
            650 cidr I b 0
            651 _cidr A b 650
            700 float4 N b 0
            701 float8 N b 0
            718 circle G b 0
            719 _circle A b 718
            774 macaddr8 U b 0
            775 _macaddr8 A b 774
            790 money N b 0
            791 _money A b 790
            829 macaddr U b 0
            869 inet I b 0
            1000 _bool A b 16
            1001 _bytea A b 17
            1002 _char A b 18
            1003 _name A b 19
            1005 _int2 A b 21
            1006 _int2vector A b 22
            1007 _int4 A b 23
            1008 _regproc A b 24
            1009 _text A b 25
            1010 _tid A b 27
            1011 _xid A b 28
            1012 _cid A b 29
            1013 _oidvector A b 30
            1014 _bpchar A b 1042
            1015 _varchar A b 1043
            1016 _int8 A b 20
            1017 _point A b 600
            1018 _lseg A b 601
            1019 _path A b 602
            1020 _box A b 603 ;
            1021 _float4 A b 700
            1022 _float8 A b 701
            1027 _polygon A b 604
            1028 _oid A b 26
            1033 aclitem U b 0
            1034 _aclitem A b 1033
            1040 _macaddr A b 829
            1041 _inet A b 869
            1042 bpchar S b 0
            1043 varchar S b 0
            1082 date D b 0
            1083 time D b 0
            1114 timestamp D b 0
            1115 _timestamp A b 1114
            1182 _date A b 1082
            1183 _time A b 1083
            1184 timestamptz D b 0
            1185 _timestamptz A b 1184
            1186 interval T b 0
            1187 _interval A b 1186
            1231 _numeric A b 1700
            1266 timetz D b 0
            1270 _timetz A b 1266
            1560 bit V b 0
            1561 _bit A b 1560
            1562 varbit V b 0
            1563 _varbit A b 1562
            1700 numeric N b 0
            1790 refcursor U b 0
            2201 _refcursor A b 1790
            2202 regprocedure N b 0
            2203 regoper N b 0
            2204 regoperator N b 0
            2205 regclass N b 0
            2206 regtype N b 0
            2207 _regprocedure A b 2202
            2208 _regoper A b 2203
            2209 _regoperator A b 2204
            2210 _regclass A b 2205
            2211 _regtype A b 2206
            2949 _txid_snapshot A b 2970
            2950 uuid U b 0
            2951 _uuid A b 2950
            2970 txid_snapshot U b 0
            3220 pg_lsn U b 0
            3221 _pg_lsn A b 3220
            3361 pg_ndistinct Z b 0
            3402 pg_dependencies Z b 0
            3614 tsvector U b 0
            3615 tsquery U b 0
            3642 gtsvector U b 0
            3643 _tsvector A b 3614
            3644 _gtsvector A b 3642
            3645 _tsquery A b 3615
            3734 regconfig N b 0
            3735 _regconfig A b 3734
            3769 regdictionary N b 0
            3770 _regdictionary A b 3769
            3802 jsonb U b 0
            3807 _jsonb A b 3802
            3904 int4range R r 0
            3905 _int4range A b 3904
            3906 numrange R r 0
            3907 _numrange A b 3906
            3908 tsrange R r 0
            3909 _tsrange A b 3908
            3910 tstzrange R r 0
            3911 _tstzrange A b 3910
            3912 daterange R r 0
            3913 _daterange A b 3912
            3926 int8range R r 0
            3927 _int8range A b 3926
            4072 jsonpath U b 0
            4073 _jsonpath A b 4072
            4089 regnamespace N b 0
            4090 _regnamespace A b 4089
            4096 regrole N b 0
            4097 _regrole A b 4096
            4191 regcollation N b 0
            4192 _regcollation A b 4191
            4451 int4multirange R m 0
            4532 nummultirange R m 0
            4533 tsmultirange R m 0
            4534 tstzmultirange R m 0
            4535 datemultirange R m 0
            4536 int8multirange R m 0
            4600 pg_brin_bloom_summary Z b 0
            4601 pg_brin_minmax_multi_summary Z b 0
            5017 pg_mcv_list Z b 0
            5038 pg_snapshot U b 0
            5039 _pg_snapshot A b 5038
            5069 xid8 U b 0
            6150 _int4multirange A b 4451
            6151 _nummultirange A b 4532
            6152 _tsmultirange A b 4533
            6153 _tstzmultirange A b 4534
            6155 _datemultirange A b 4535
            6157 _int8multirange A b 4536
            """;

    private static final Map<Integer, PgType> BUILTIN_TYPES = loadBuiltins();

    private final TypeLookup lookup;
    private final Map<Integer, PgType> dynamicTypes = new ConcurrentHashMap<>();
    private final Map<Integer, WalMessage.Type> announced = new ConcurrentHashMap<>();

    /**
     * Creates a registry.
     *
     * @param lookup reads non-built-in types; null to rely on pgoutput Type messages only (such
     *               types are then treated as opaque strings)
     */
    public PgTypeRegistry(TypeLookup lookup) {
        this.lookup = lookup;
    }

    /** The built-in type with this oid, or null. */
    public static PgType builtin(int oid) {
        return BUILTIN_TYPES.get(oid);
    }

    /**
     * Resolves a type oid.
     *
     * @throws IllegalStateException if the type is neither built in, nor found by the lookup, nor
     *                               announced by a Type message
     */
    public PgType resolve(int oid) {
        return load(oid, 0);
    }

    /**
     * Records a pgoutput Type message and forgets the cached non-built-in types, so the Relation
     * that follows sees current definitions (also of the base and element types it refers to).
     */
    public void announce(WalMessage.Type type) {
        announced.put(type.oid(), type);
        dynamicTypes.clear();
    }

    private PgType load(int oid, int depth) {
        if (depth > 32) {
            throw new IllegalStateException("type " + oid + " nests too deeply");
        }
        PgType known = BUILTIN_TYPES.get(oid);
        if (known == null) {
            known = dynamicTypes.get(oid);
        }
        if (known != null) {
            return known;
        }
        TypeLookup.Definition definition = lookup == null ? null : lookup.lookup(oid);
        if (definition == null) {
            WalMessage.Type announcedType = announced.get(oid);
            if (announcedType == null) {
                throw new IllegalStateException("unknown type oid " + Integer.toUnsignedString(oid));
            }
            // Without catalog details the value can still be passed on as its text form; not cached,
            // so a later resolve retries the lookup.
            return new PgType(oid, announcedType.namespace(), announcedType.name(), 'b', 'U', null, null, ',',
                    List.of(), List.of());
        }
        PgType element = definition.elementOid() == 0 ? null : load(definition.elementOid(), depth + 1);
        PgType base = definition.baseTypeOid() == 0 ? null : load(definition.baseTypeOid(), depth + 1);
        List<PgType.Field> fields = definition.fields().stream()
                .map(f -> new PgType.Field(f.name(), load(f.typeOid(), depth + 1)))
                .toList();
        PgType type = new PgType(oid, definition.namespace(), definition.name(), definition.typtype(),
                definition.category(), element, base, definition.delimiter(), definition.enumLabels(), fields);
        PgType raced = dynamicTypes.putIfAbsent(oid, type);
        return raced == null ? type : raced;
    }

    private static Map<Integer, PgType> loadBuiltins() {
        Map<Integer, PgType> types = new HashMap<>();
        String[] lines = BUILTINS.split("\n");
        // Some arrays have lower oids than their elements (e.g. _bpchar), so elements go first.
        for (boolean arrays : new boolean[] {false, true}) {
            for (String line : lines) {
                String[] f = line.trim().split(" ");
                int elementOid = Integer.parseInt(f[4]);
                if ((elementOid != 0) != arrays) {
                    continue;
                }
                int oid = Integer.parseInt(f[0]);
                char delimiter = f.length > 5 ? f[5].charAt(0) : ',';
                types.put(oid, new PgType(oid, "pg_catalog", f[1], f[3].charAt(0), f[2].charAt(0),
                        arrays ? types.get(elementOid) : null, null, delimiter, List.of(), List.of()));
            }
        }
        return Map.copyOf(types);
    }
}
