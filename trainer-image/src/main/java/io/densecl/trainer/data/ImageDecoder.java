package io.densecl.trainer.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG, PNG and BMP files to RGB like PIL's {@code convert('RGB')}: grayscale and palette
 * expanded, alpha dropped, CMYK/YCCK JPEGs converted. A truncated file (the decoder warns) is an error,
 * never a half-grey image. JPEGs go through libjpeg-turbo when the system has it ({@link TurboJpeg}).
 * The dimensions are read from the header first: an image of more pixels than the cap is refused
 * before anything is allocated for it (a 782 KB PNG can decode to 3.6 GB).
 */
public final class ImageDecoder {
    /** PIL's {@code Image.MAX_IMAGE_PIXELS} (1024 * 1024 * 1024 // 4 // 3): the default cap. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    static {
        ImageIO.setUseCache(false); // no temp files: the root filesystem may be read-only
    }

    private ImageDecoder() {}

    /** Thrown for any file that is not a complete, readable image. */
    public static final class UnreadableImageException extends IOException {
        public UnreadableImageException(Path path, String why) {
            super(path + ": " + why);
        }
    }

    public static RgbImage decode(Path path) throws UnreadableImageException {
        return decode(path, DEFAULT_MAX_PIXELS);
    }

    /** Decodes {@code path} unless its header declares more than {@code maxPixels} pixels. */
    public static RgbImage decode(Path path, long maxPixels) throws UnreadableImageException {
        if (TurboJpeg.available()) {
            Optional<RgbImage> jpeg = TurboJpeg.decode(path, maxPixels);
            if (jpeg.isPresent()) {
                return jpeg.get();
            }
        }
        return decodeWithImageIO(path, maxPixels);
    }

    static RgbImage decodeWithImageIO(Path path) throws UnreadableImageException {
        return decodeWithImageIO(path, DEFAULT_MAX_PIXELS);
    }

    /** Why a file could not be opened, in words (the exception's message is often only the path). */
    static String why(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Refuses an image larger than the cap, from its declared dimensions. */
    static void requireWithinCap(Path path, long width, long height, long maxPixels) throws UnreadableImageException {
        if (width <= 0 || height <= 0) {
            throw new UnreadableImageException(path, "declares " + width + "x" + height + " pixels");
        }
        if (width * height > maxPixels) {
            throw new UnreadableImageException(
                    path,
                    width + "x" + height + " = " + width * height + " pixels exceeds data.maxImagePixels " + maxPixels
                            + " (decompression bomb?)");
        }
    }

    /**
     * The pure-Java path: PNG, BMP, CMYK JPEGs, and every JPEG when libturbojpeg is absent. The file is
     * opened through its {@link Path}, whose name bytes are the directory entry's: a {@code File} made
     * from the path's string could not open a name that is not valid in the platform encoding.
     */
    static RgbImage decodeWithImageIO(Path path, long maxPixels) throws UnreadableImageException {
        InputStream raw;
        try {
            raw = Files.newInputStream(path);
        } catch (IOException e) {
            throw new UnreadableImageException(path, "cannot open (" + why(e) + ")");
        }
        try (raw;
                ImageInputStream in = ImageIO.createImageInputStream(raw)) {
            if (in == null) {
                throw new UnreadableImageException(path, "cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException(path, "not a JPEG, PNG or BMP image");
            }
            ImageReader reader = readers.next();
            AtomicReference<String> warning = new AtomicReference<>();
            reader.addIIOReadWarningListener((source, message) -> warning.compareAndSet(null, message));
            try {
                reader.setInput(in, true, true);
                requireWithinCap(path, reader.getWidth(0), reader.getHeight(0), maxPixels);
                RgbImage image;
                try {
                    image = fromBuffered(reader.read(0));
                } catch (javax.imageio.IIOException e) {
                    if (!String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                        throw e;
                    }
                    image = fromCmyk(reader.readRaster(0, null)); // CMYK / YCCK JPEG
                }
                if (warning.get() != null) {
                    throw new UnreadableImageException(path, "damaged image (" + warning.get() + ")");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (UnreadableImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableImageException(
                    path, "unreadable (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    static RgbImage fromBuffered(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
                && !(img.getColorModel() instanceof java.awt.image.IndexColorModel)) {
            return fromGray(img.getRaster(), img.getColorModel().getComponentSize(0));
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w); // expands gray/palette; alpha is dropped below
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[3 * i] = (byte) (p >> 16);
            rgb[3 * i + 1] = (byte) (p >> 8);
            rgb[3 * i + 2] = (byte) p;
        }
        return new RgbImage(w, h, rgb);
    }

    /**
     * Grayscale (with or without alpha): the stored value replicated, as PIL does. getRGB would apply a
     * linear-to-sRGB curve to Java's linear gray colour space and brighten every pixel.
     */
    static RgbImage fromGray(Raster raster, int bits) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        byte[] rgb = new byte[w * h * 3];
        int shift = Math.max(0, bits - 8);
        for (int i = 0; i < samples.length; i++) {
            byte v = (byte) (samples[i] >> shift);
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
        }
        return new RgbImage(w, h, rgb);
    }

    /** Adobe-style (inverted) CMYK to RGB: R = C'·K'/255 with C' and K' as stored. */
    static RgbImage fromCmyk(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        if (raster.getNumBands() != 4) {
            throw new IllegalArgumentException("unsupported JPEG with " + raster.getNumBands() + " bands");
        }
        byte[] rgb = new byte[w * h * 3];
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(x, y, px);
                int k = px[3];
                int o = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    rgb[o + c] = (byte) (px[c] * k / 255);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
