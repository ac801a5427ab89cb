package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every colour model ends up RGB like PIL's convert('RGB'); damaged files are errors. */
class ImageDecoderTest {
    @TempDir
    Path dir;

    @Test
    void grayscalePngIsReplicated() throws IOException {
        BufferedImage g = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(1, 1, 0, 200);
        Path f = dir.resolve("g.png");
        ImageIO.write(g, "png", f.toFile());
        RgbImage img = ImageDecoder.decode(f);
        assertThat(img.width()).isEqualTo(4);
        assertThat(new int[] {img.at(1, 1, 0), img.at(1, 1, 1), img.at(1, 1, 2)})
                .containsOnly(200);
    }

    @Test
    void palettePngIsExpanded() throws IOException {
        byte[] r = {0, (byte) 255}, gg = {0, 10}, b = {0, 20};
        BufferedImage p = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(1, 2, r, gg, b));
        p.getRaster().setSample(0, 0, 0, 1);
        Path f = dir.resolve("p.png");
        ImageIO.write(p, "png", f.toFile());
        RgbImage img = ImageDecoder.decode(f);
        assertThat(new int[] {img.at(0, 0, 0), img.at(0, 0, 1), img.at(0, 0, 2)})
                .containsExactly(255, 10, 20);
    }

    @Test
    void alphaIsDropped() throws IOException {
        BufferedImage a = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        a.setRGB(0, 0, 0x10203040); // alpha 0x10, rgb (0x20,0x30,0x40)
        Path f = dir.resolve("a.png");
        ImageIO.write(a, "png", f.toFile());
        RgbImage img = ImageDecoder.decode(f);
        assertThat(new int[] {img.at(0, 0, 0), img.at(0, 0, 1), img.at(0, 0, 2)})
                .containsExactly(0x20, 0x30, 0x40);
    }

    @Test
    void bmpIsRead() throws IOException {
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(2, 1, 0x00AABBCC);
        Path f = dir.resolve("x.bmp");
        ImageIO.write(rgb, "bmp", f.toFile());
        assertThat(ImageDecoder.decode(f).at(2, 1, 1)).isEqualTo(0xBB);
    }

    @Test
    void cmykJpegIsConverted() throws IOException {
        WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 8, 8, 4, null);
        int[] px = {255, 128, 0, 255}; // inverted CMYK as Adobe stores it
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) raster.setPixel(x, y, px);
        Path f = dir.resolve("cmyk.jpg");
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(raster, null, null), null);
        }
        RgbImage img = ImageDecoder.decode(f);
        assertThat(img.width()).isEqualTo(8);
        assertThat(img.at(4, 4, 0)).isGreaterThan(img.at(4, 4, 2));
    }

    @Test
    void truncatedJpegIsAnError() throws IOException {
        BufferedImage rgb = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64; i++) rgb.setRGB(i, i, 0xFFFFFF);
        Path full = dir.resolve("full.jpg");
        ImageIO.write(rgb, "jpeg", full.toFile());
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ImageDecoder.decode(cut))
                .isInstanceOf(ImageDecoder.UnreadableImageException.class)
                .hasMessageContaining("cut.jpg");
    }

    @Test
    void nonImageIsAnError() throws IOException {
        Path txt = dir.resolve("notes.jpg");
        Files.writeString(txt, "this is not an image");
        assertThatThrownBy(() -> ImageDecoder.decode(txt)).isInstanceOf(ImageDecoder.UnreadableImageException.class);
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> ImageDecoder.decode(empty)).isInstanceOf(ImageDecoder.UnreadableImageException.class);
    }
}
