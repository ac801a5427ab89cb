package io.densecl.trainer.report.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The few {@code tensorflow.Event} messages a scalar log needs, encoded by hand (protobuf wire format):
 * {@code Event{wall_time=1 double, step=2 int64, file_version=3 string, summary=5, session_log=7}},
 * {@code Summary{value=1 repeated}}, {@code Summary.Value{tag=1 string, simple_value=2 float}},
 * {@code SessionLog{status=1 enum (START=1), msg=3 string}}.
 */
final class EventProto {
    /** What every event file starts with; TensorBoard takes version 2 as "SessionLog.START marks restarts". */
    static final String FILE_VERSION = "brain.Event:2";

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LEN = 2;
    private static final int FIXED32 = 5;
    private static final int SESSION_START = 1;

    private EventProto() {}

    static byte[] fileVersion(double wallTime) {
        Writer w = new Writer();
        w.fixed64(1, Double.doubleToRawLongBits(wallTime));
        w.bytes(3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
        return w.toByteArray();
    }

    /**
     * A restart marker: TensorBoard drops every event it has read with a step at or after {@code step}
     * (they belong to an attempt that died after its last checkpoint).
     */
    static byte[] sessionStart(double wallTime, long step, String msg) {
        Writer log = new Writer();
        log.varint(1, SESSION_START);
        log.bytes(3, msg.getBytes(StandardCharsets.UTF_8));
        Writer w = new Writer();
        w.fixed64(1, Double.doubleToRawLongBits(wallTime));
        w.varint(2, step);
        w.bytes(7, log.toByteArray());
        return w.toByteArray();
    }

    /** One event holding a scalar per tag (in the map's order). */
    static byte[] scalars(double wallTime, long step, Map<String, Float> values) {
        Writer summary = new Writer();
        for (Map.Entry<String, Float> e : values.entrySet()) {
            Writer v = new Writer();
            v.bytes(1, e.getKey().getBytes(StandardCharsets.UTF_8));
            v.fixed32(2, Float.floatToRawIntBits(e.getValue()));
            summary.bytes(1, v.toByteArray());
        }
        Writer w = new Writer();
        w.fixed64(1, Double.doubleToRawLongBits(wallTime));
        w.varint(2, step);
        w.bytes(5, summary.toByteArray());
        return w.toByteArray();
    }

    /** The {@code step} of an encoded event (0 when absent, as in protobuf); other fields are skipped. */
    static long step(byte[] event) {
        int[] pos = {0};
        while (pos[0] < event.length) {
            long key = readVarint(event, pos);
            int field = (int) (key >>> 3);
            int type = (int) (key & 7);
            switch (type) {
                case VARINT -> {
                    long v = readVarint(event, pos);
                    if (field == 2) return v;
                }
                case FIXED64 -> pos[0] += 8;
                case LEN -> {
                    int n = (int) readVarint(event, pos); // read before adding: pos moves past the length
                    pos[0] += n;
                }
                case FIXED32 -> pos[0] += 4;
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + type);
            }
        }
        return 0;
    }

    private static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) throw new IllegalArgumentException("truncated varint");
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) return v;
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    /** Protobuf wire-format output for one message. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        void varint(int field, long v) {
            tag(field, VARINT);
            raw(v);
        }

        void fixed64(int field, long v) {
            tag(field, FIXED64);
            for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        }

        void fixed32(int field, int v) {
            tag(field, FIXED32);
            for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        }

        void bytes(int field, byte[] b) {
            tag(field, LEN);
            raw(b.length);
            out.writeBytes(b);
        }

        private void tag(int field, int type) {
            raw((long) field << 3 | type);
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
