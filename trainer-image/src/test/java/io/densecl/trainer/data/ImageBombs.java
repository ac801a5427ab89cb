package io.densecl.trainer.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Decompression bombs for tests: small files whose headers declare huge images. */
public final class ImageBombs {
    private ImageBombs() {}

    /** A PNG whose IHDR declares {@code w x h} RGB pixels, with {@code rows} rows of zero pixels really present. */
    public static byte[] png(int w, int h, int rows) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(w)
                        .putInt(h)
                        .put((byte) 8)
                        .put((byte) 2)
                        .put((byte) 0)
                        .put((byte) 0)
                        .put((byte) 0)
                        .array());
        Deflater z = new Deflater(Deflater.BEST_SPEED);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] row = new byte[1 + 3 * w];
        byte[] buf = new byte[1 << 16];
        for (int y = 0; y < rows; y++) {
            z.setInput(row);
            while (!z.needsInput()) idat.write(buf, 0, z.deflate(buf));
        }
        z.finish();
        while (!z.finished()) idat.write(buf, 0, z.deflate(buf));
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A valid small JPEG whose frame header (SOF0) is patched to claim {@code w x h}: 1.4 KB claiming 1.2 GB. */
    public static byte[] jpegClaiming(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        byte[] j = out.toByteArray();
        for (int i = 2; i + 9 < j.length; i++) {
            if ((j[i] & 0xFF) == 0xFF && (j[i + 1] & 0xFF) == 0xC0) {
                j[i + 5] = (byte) (h >> 8);
                j[i + 6] = (byte) h;
                j[i + 7] = (byte) (w >> 8);
                j[i + 8] = (byte) w;
                return j;
            }
        }
        throw new IllegalStateException("no SOF0 marker");
    }
}
