package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, images cannot kill a run: dimensions are read from the header before anything is
 * allocated, a large image does not pin its buffer in the decoding thread, and a file whose name is
 * not valid UTF-8 is read.
 */
class ImageBombTest {
    @TempDir
    Path dir;

    /** Before: ImageIO allocated the 805 MB raster of the declared 16384x16384 (and OOMed a 1 GB heap). */
    @Test
    void aPngDeclaringTooManyPixelsIsRefusedFromItsHeader() throws IOException {
        Path bomb = Files.write(dir.resolve("bomb.png"), ImageBombs.png(16384, 16384, 4));
        long before = usedHeap();
        assertThatThrownBy(() -> ImageDecoder.decode(bomb))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class)
                .hasMessageContaining("bomb.png")
                .hasMessageContaining("16384x16384 = 268435456 pixels exceeds data.maxImagePixels 89478485");
        assertThat(usedHeap() - before).as("heap grown by the refusal").isLessThan(64L << 20);
        // the cap is the configured one, and an image at the cap is fine
        Path small = Files.write(dir.resolve("small.png"), ImageBombs.png(20, 10, 10));
        assertThat(ImageDecoder.decode(small, 200).width()).isEqualTo(20);
        assertThatThrownBy(() -> ImageDecoder.decode(small, 199))
                .hasMessageContaining("20x10 = 200 pixels exceeds data.maxImagePixels 199");
    }

    /** Before: libjpeg-turbo's output buffer of 1.2 GB was reserved (direct memory) for a 1.4 KB file. */
    @Test
    void aJpegDeclaringTooManyPixelsIsRefusedByEitherDecoder() throws IOException {
        Path bomb = Files.write(dir.resolve("claims.jpg"), ImageBombs.jpegClaiming(20000, 20000));
        long before = usedDirect();
        assertThatThrownBy(() -> ImageDecoder.decode(bomb))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class)
                .hasMessageContaining("20000x20000 = 400000000 pixels exceeds data.maxImagePixels");
        assertThatThrownBy(() -> ImageDecoder.decodeWithImageIO(bomb))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class)
                .hasMessageContaining("20000x20000");
        assertThat(usedDirect() - before).as("direct memory kept").isLessThan(32L << 20);
    }

    /** Before: a retained per-thread buffer grew to the largest image ever decoded, and stayed. */
    @Test
    void oneLargeJpegDoesNotPinItsBufferInTheThread() throws IOException {
        assumeTrue(TurboJpeg.available(), "libturbojpeg0 is not installed");
        BufferedImage big = new BufferedImage(3000, 2000, BufferedImage.TYPE_INT_RGB); // 18 MB of RGB > the 16 MiB kept
        for (int y = 0; y < 2000; y += 7) big.setRGB(y % 3000, y, 0xFFFFFF);
        Path f = dir.resolve("big.jpg");
        ImageIO.write(big, "jpeg", f.toFile());
        Path small = dir.resolve("small.jpg");
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "jpeg", small.toFile());
        TurboJpeg.decode(small).orElseThrow(); // this thread's reusable buffers exist now
        long before = usedDirect();
        assertThat(TurboJpeg.decode(f).orElseThrow().width()).isEqualTo(3000);
        TurboJpeg.decode(small).orElseThrow();
        assertThat(usedDirect() - before)
                .as("direct memory still held after the large image")
                .isLessThan(4L << 20);
    }

    /** Before: ImageIO opened a File made from the path's string, which cannot name these bytes: "cannot open". */
    @Test
    void aJpegWhoseNameIsNotUtf8IsRead() throws Exception {
        Path src = dir.resolve("src.jpg");
        ImageIO.write(new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB), "jpeg", src.toFile());
        Path sub = Files.createDirectories(dir.resolve("latin1"));
        // the name is the ISO-8859-1 bytes of "café.jpg": 0xE9 alone is not UTF-8; only a byte-level tool can make it
        Process cp = new ProcessBuilder(
                        "sh", "-c", "cp \"$0\" \"$1/$(printf 'caf\\351.jpg')\"", src.toString(), sub.toString())
                .inheritIO()
                .start();
        assertThat(cp.waitFor()).isZero();
        ImageSource source = ImageSource.open(sub, "imageFolder");
        assertThat(source.size()).isEqualTo(1);
        Path odd = source.files().get(0);
        assertThat(ImageDecoder.decodeWithImageIO(odd).width()).isEqualTo(24);
        assertThat(ImageDecoder.decode(odd).height()).isEqualTo(16);
    }

    private static long usedDirect() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    private static long usedHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
