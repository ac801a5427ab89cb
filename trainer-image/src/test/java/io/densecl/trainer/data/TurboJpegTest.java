package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libjpeg-turbo path decodes to the same pixels as ImageIO and rejects damaged files the same way. */
class TurboJpegTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void libraryPresent() {
        // CI installs libturbojpeg0 and sets this, so the fast path can never be skipped silently there
        if ("1".equals(System.getenv("DENSECL_REQUIRE_TURBOJPEG"))) {
            assertThat(TurboJpeg.available()).as("libturbojpeg loaded").isTrue();
        }
        assumeTrue(TurboJpeg.available(), "libturbojpeg0 is not installed");
    }

    @Test
    void baselineAndProgressiveJpegsMatchImageIO() throws IOException {
        for (boolean progressive : new boolean[] {false, true}) {
            Path f = write(texture(203, 151, 7), "t" + progressive + ".jpg", progressive);
            RgbImage turbo = TurboJpeg.decode(f).orElseThrow();
            RgbImage java = ImageDecoder.decodeWithImageIO(f);
            assertThat(turbo.width()).isEqualTo(203);
            assertThat(turbo.height()).isEqualTo(151);
            // same IDCT and upsampling family; rounding may differ by a level here and there
            int max = 0;
            long sum = 0;
            for (int i = 0; i < turbo.rgb().length; i++) {
                int d = Math.abs((turbo.rgb()[i] & 0xFF) - (java.rgb()[i] & 0xFF));
                max = Math.max(max, d);
                sum += d;
            }
            assertThat(max).as("max abs difference, progressive=" + progressive).isLessThanOrEqualTo(2);
            assertThat((double) sum / turbo.rgb().length)
                    .as("mean abs difference")
                    .isLessThan(0.25);
        }
    }

    @Test
    void grayJpegIsReplicated() throws IOException {
        BufferedImage gray = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 16; x++)
            for (int y = 0; y < 8; y++) gray.getRaster().setSample(x, y, 0, 100);
        Path f = dir.resolve("gray.jpg");
        ImageIO.write(gray, "jpeg", f.toFile());
        RgbImage img = TurboJpeg.decode(f).orElseThrow();
        assertThat(img.at(3, 3, 0)).isEqualTo(img.at(3, 3, 1)).isEqualTo(img.at(3, 3, 2));
        assertThat(img.at(3, 3, 0)).isBetween(99, 101);
    }

    @Test
    void damagedJpegsAreErrorsAndOtherFormatsAreLeftToImageIO() throws IOException {
        Path full = write(texture(64, 64, 3), "full.jpg", false);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> TurboJpeg.decode(cut))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class)
                .hasMessageContaining("cut.jpg")
                .hasMessageContaining("damaged");
        Path headerOnly = dir.resolve("header.jpg");
        Files.write(headerOnly, Arrays.copyOf(bytes, 40));
        assertThatThrownBy(() -> TurboJpeg.decode(headerOnly))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class);
        Path png = dir.resolve("really-a-png.jpg");
        ImageIO.write(texture(8, 8, 1), "png", png.toFile());
        assertThat(TurboJpeg.decode(png)).isEmpty();
        assertThat(ImageDecoder.decode(png).width()).isEqualTo(8);
    }

    /** Smooth colour gradients plus noise: exercises chroma upsampling and the IDCT. */
    private static BufferedImage texture(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = (x * 255 / w + r.nextInt(24)) & 0xFF;
                int green = (y * 255 / h + r.nextInt(24)) & 0xFF;
                int blue = ((x + y) * 127 / (w + h) + 64 + r.nextInt(24)) & 0xFF;
                img.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        return img;
    }

    private Path write(BufferedImage img, String name, boolean progressive) throws IOException {
        Path f = dir.resolve(name);
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = w.getDefaultWriteParam();
        if (progressive) {
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return f;
    }
}
