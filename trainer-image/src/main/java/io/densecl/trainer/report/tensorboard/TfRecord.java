package io.densecl.trainer.report.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorFlow and TensorBoard read it: little-endian uint64 length, masked CRC32C of
 * those 8 bytes, the payload, masked CRC32C of the payload.
 */
final class TfRecord {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {}

    /** One framed record. */
    static byte[] frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(payload.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(payload);
        b.putInt(maskedCrc(payload, 0, payload.length));
        return b.array();
    }

    /**
     * The payloads of a file's records, in order, up to the first record that is torn (a process killed
     * mid-write) or fails its checksum: what follows such a record cannot be trusted to be framed.
     */
    static List<byte[]> read(byte[] file) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 12) {
            int start = b.position();
            long len = b.getLong();
            int lenCrc = b.getInt();
            if (lenCrc != maskedCrc(file, start, 8) || len < 0 || len > b.remaining() - 4) {
                break;
            }
            byte[] payload = new byte[(int) len];
            b.get(payload);
            if (b.getInt() != maskedCrc(payload, 0, payload.length)) {
                break;
            }
            out.add(payload);
        }
        return out;
    }

    /** TensorFlow's masked CRC32C: rotate right by 15 bits and add a constant (a CRC of data holding CRCs stays useful). */
    static int maskedCrc(byte[] data, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(data, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** Concatenated frames, for tests and rewrites. */
    static byte[] frames(List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(frame(p));
        }
        return out.toByteArray();
    }
}
