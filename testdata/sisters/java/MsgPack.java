import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The old msgpack spec (before 2013), as javabanyan's msgpack-java-lite
 * reads and writes it: strings and byte arrays are "raw" (fixraw, raw16,
 * raw32; read back as UTF-8 strings), and str8 (0xd9), bin (0xc4-0xc6) and
 * ext (0xc7-0xc9, 0xd4-0xd8) are refused with an exception. Our own code,
 * written for the interop tests.
 */
final class MsgPack {
    private MsgPack() {}

    static byte[] pack(Object v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pack(out, v);
        return out.toByteArray();
    }

    private static void pack(ByteArrayOutputStream out, Object v) {
        if (v == null) {
            out.write(0xc0);
        } else if (v instanceof Boolean) {
            out.write((Boolean) v ? 0xc3 : 0xc2);
        } else if (v instanceof BigInteger) {
            out.write(0xcf);
            writeN(out, ((BigInteger) v).longValue(), 8);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            packInt(out, ((Number) v).longValue());
        } else if (v instanceof Float) {
            out.write(0xca);
            writeN(out, Float.floatToIntBits((Float) v), 4);
        } else if (v instanceof Double) {
            out.write(0xcb);
            writeN(out, Double.doubleToLongBits((Double) v), 8);
        } else if (v instanceof String) {
            packRaw(out, ((String) v).getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof byte[]) {
            packRaw(out, (byte[]) v);
        } else if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            header(out, m.size(), 0x80, 0xde);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pack(out, e.getKey());
                pack(out, e.getValue());
            }
        } else if (v instanceof List) {
            List<?> l = (List<?>) v;
            header(out, l.size(), 0x90, 0xdc);
            for (Object o : l) {
                pack(out, o);
            }
        } else {
            throw new IllegalArgumentException("cannot pack " + v.getClass());
        }
    }

    private static void packInt(ByteArrayOutputStream out, long n) {
        if (n >= 0) {
            if (n < 128) { out.write((int) n); }
            else if (n < 1L << 8) { out.write(0xcc); writeN(out, n, 1); }
            else if (n < 1L << 16) { out.write(0xcd); writeN(out, n, 2); }
            else if (n < 1L << 32) { out.write(0xce); writeN(out, n, 4); }
            else { out.write(0xcf); writeN(out, n, 8); }
        } else {
            if (n >= -32) { out.write((int) (n & 0xff)); }
            else if (n >= Byte.MIN_VALUE) { out.write(0xd0); writeN(out, n, 1); }
            else if (n >= Short.MIN_VALUE) { out.write(0xd1); writeN(out, n, 2); }
            else if (n >= Integer.MIN_VALUE) { out.write(0xd2); writeN(out, n, 4); }
            else { out.write(0xd3); writeN(out, n, 8); }
        }
    }

    private static void packRaw(ByteArrayOutputStream out, byte[] b) {
        if (b.length < 32) { out.write(0xa0 | b.length); }
        else if (b.length < 1 << 16) { out.write(0xda); writeN(out, b.length, 2); }
        else { out.write(0xdb); writeN(out, b.length, 4); }
        out.write(b, 0, b.length);
    }

    private static void header(ByteArrayOutputStream out, int n, int fix, int code16) {
        if (n < 16) { out.write(fix | n); }
        else if (n < 1 << 16) { out.write(code16); writeN(out, n, 2); }
        else { out.write(code16 + 1); writeN(out, n, 4); }
    }

    private static void writeN(ByteArrayOutputStream out, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** Decodes one value; trailing bytes, truncation or a new-spec type throw. */
    static Object unpack(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data);
        Object v = unpack(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes after msgpack value");
        }
        return v;
    }

    private static Object unpack(ByteBuffer in) {
        int b = in.get() & 0xff;
        if (b <= 0x7f) return (long) b;
        if (b >= 0xe0) return (long) (byte) b;
        if (b <= 0x8f) return map(in, b & 0x0f);
        if (b <= 0x9f) return array(in, b & 0x0f);
        if (b <= 0xbf) return raw(in, b & 0x1f);
        switch (b) {
            case 0xc0: return null;
            case 0xc2: return false;
            case 0xc3: return true;
            case 0xca: return in.getFloat();
            case 0xcb: return in.getDouble();
            case 0xcc: return (long) (in.get() & 0xff);
            case 0xcd: return (long) (in.getShort() & 0xffff);
            case 0xce: return in.getInt() & 0xffffffffL;
            case 0xcf: {
                long n = in.getLong();
                return n >= 0 ? (Object) n : new BigInteger(Long.toUnsignedString(n));
            }
            case 0xd0: return (long) in.get();
            case 0xd1: return (long) in.getShort();
            case 0xd2: return (long) in.getInt();
            case 0xd3: return in.getLong();
            case 0xda: return raw(in, in.getShort() & 0xffff);
            case 0xdb: return raw(in, in.getInt());
            case 0xdc: return array(in, in.getShort() & 0xffff);
            case 0xdd: return array(in, in.getInt());
            case 0xde: return map(in, in.getShort() & 0xffff);
            case 0xdf: return map(in, in.getInt());
            default:
                throw new IllegalArgumentException(String.format("msgpack type 0x%02x is not in the old spec", b));
        }
    }

    private static String raw(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("raw of " + n + " bytes is truncated");
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<Object> array(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("array of " + n + " is truncated");
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(unpack(in));
        return l;
    }

    private static Map<Object, Object> map(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("map of " + n + " is truncated");
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Object k = unpack(in);
            m.put(k, unpack(in));
        }
        return m;
    }
}
