package io.densecl.trainer.synth;

import io.densecl.trainer.util.SplitMix64;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes a procedurally generated segmentation/classification dataset: textured shapes on textured
 * backgrounds in several image sizes, VOC layout ({@code JPEGImages/}, {@code SegmentationClass/} as
 * palette PNG, {@code ImageSets/Segmentation/{train,val}.txt}) plus an image-folder view for
 * classification ({@code ImageFolder/{train,val}/<class>/}). Deterministic for a seed.
 */
public final class SynthDataset {
    /** Shape kinds; class c (1-based) draws kind (c-1) % 4 with its own hue and texture. */
    private static final String[] KINDS = {"disc", "square", "triangle", "ring"};

    private final int images;
    private final int size;
    private final int classes;
    private final long seed;

    public SynthDataset(int images, int size, int classes, long seed) {
        if (images < 1 || size < 16 || classes < 1 || classes > 20) {
            throw new IllegalArgumentException("need images >= 1, size >= 16, 1 <= classes <= 20");
        }
        this.images = images;
        this.size = size;
        this.classes = classes;
        this.seed = seed;
    }

    public static String className(int c) {
        return String.format(Locale.ROOT, "c%02d_%s", c, KINDS[(c - 1) % KINDS.length]);
    }

    /** What {@link #write(Path, Layout)} writes. */
    public enum Layout {
        /** The VOC layout with masks, split lists, labels and the ImageFolder view (evaluation data). */
        voc,
        /** Only the JPEGs, directly under the output directory: pre-training data (an image folder with nothing else). */
        images
    }

    /** Generates everything under {@code out}; returns the number of images written. */
    public int write(Path out) throws IOException {
        return write(out, Layout.voc);
    }

    /**
     * Generates the dataset under {@code out} in the given layout; returns the number of images written. The images
     * of a seed are the same in both layouts (the {@code images} layout is the VOC set's {@code JPEGImages/}).
     */
    public int write(Path out, Layout layout) throws IOException {
        if (layout == Layout.images) {
            Files.createDirectories(out);
            for (int i = 0; i < images; i++) {
                SplitMix64 rng = SplitMix64.of(seed, i);
                int w = (int) (size * rng.uniform(0.75, 1.5));
                int h = (int) (size * rng.uniform(0.75, 1.5));
                writeJpeg(render(rng, w, h).rgb, out.resolve(String.format(Locale.ROOT, "synth_%06d.jpg", i)));
            }
            return images;
        }
        Path jpeg = Files.createDirectories(out.resolve("JPEGImages"));
        Path masks = Files.createDirectories(out.resolve("SegmentationClass"));
        Path sets = Files.createDirectories(out.resolve("ImageSets/Segmentation"));
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        labels.add("id,label,class");
        for (int i = 0; i < images; i++) {
            String id = String.format(Locale.ROOT, "synth_%06d", i);
            SplitMix64 rng = SplitMix64.of(seed, i);
            int w = (int) (size * rng.uniform(0.75, 1.5));
            int h = (int) (size * rng.uniform(0.75, 1.5));
            Sample s = render(rng, w, h);
            writeJpeg(s.rgb, jpeg.resolve(id + ".jpg"));
            ImageIO.write(
                    paletteMask(s.mask, w, h), "png", masks.resolve(id + ".png").toFile());
            boolean isVal = i % 5 == 4;
            (isVal ? val : train).add(id);
            labels.add(id + "," + s.label + "," + className(s.label));
            Path classDir = Files.createDirectories(
                    out.resolve("ImageFolder").resolve(isVal ? "val" : "train").resolve(className(s.label)));
            Path link = classDir.resolve(id + ".jpg");
            Files.deleteIfExists(link);
            try {
                Files.createLink(link, jpeg.resolve(id + ".jpg"));
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(jpeg.resolve(id + ".jpg"), link);
            }
        }
        Files.write(sets.resolve("train.txt"), train);
        Files.write(sets.resolve("val.txt"), val);
        List<String> all = new ArrayList<>(train);
        all.addAll(val);
        Files.write(sets.resolve("trainval.txt"), all);
        Files.write(out.resolve("labels.csv"), labels);
        List<String> names = new ArrayList<>();
        names.add("background");
        for (int c = 1; c <= classes; c++) names.add(className(c));
        Files.write(out.resolve("classes.txt"), names);
        return images;
    }

    private record Sample(BufferedImage rgb, byte[] mask, int label) {}

    private Sample render(SplitMix64 rng, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] mask = new byte[w * h];
        Texture bg = Texture.background(rng);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, bg.color(x, y));
        int objects = 1 + rng.nextInt(3);
        int[] area = new int[classes + 1];
        for (int o = 0; o < objects; o++) {
            int c = 1 + rng.nextInt(classes);
            Texture tex = Texture.forClass(c, classes, rng);
            double r = Math.min(w, h) * rng.uniform(0.18, 0.4);
            double cx = rng.uniform(r * 0.6, w - r * 0.6);
            double cy = rng.uniform(r * 0.6, h - r * 0.6);
            double angle = rng.uniform(0, Math.PI * 2);
            String kind = KINDS[(c - 1) % KINDS.length];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (inside(kind, x + 0.5 - cx, y + 0.5 - cy, r, angle)) {
                        if (mask[y * w + x] != 0) area[mask[y * w + x]]--;
                        mask[y * w + x] = (byte) c;
                        area[c]++;
                        img.setRGB(x, y, tex.color(x, y));
                    }
                }
            }
        }
        int label = 1;
        for (int c = 1; c <= classes; c++) if (area[c] > area[label]) label = c;
        return new Sample(img, mask, label);
    }

    static boolean inside(String kind, double dx, double dy, double r, double angle) {
        double cos = Math.cos(angle), sin = Math.sin(angle);
        double u = dx * cos + dy * sin;
        double v = -dx * sin + dy * cos;
        switch (kind) {
            case "disc":
                return u * u + v * v <= r * r;
            case "square":
                return Math.abs(u) <= r * 0.8 && Math.abs(v) <= r * 0.8;
            case "triangle": {
                // equilateral triangle with circumradius r
                for (int k = 0; k < 3; k++) {
                    double a = angle + k * 2 * Math.PI / 3;
                    if (dx * Math.cos(a) + dy * Math.sin(a) > r * 0.5) return false;
                }
                return true;
            }
            default: {
                double d2 = u * u + v * v;
                return d2 <= r * r && d2 >= (0.55 * r) * (0.55 * r);
            }
        }
    }

    /** The PASCAL VOC colour map: class ids as palette indices, 255 (ignore) white. */
    static BufferedImage paletteMask(byte[] mask, int w, int h) {
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int c = i, rr = 0, gg = 0, bb = 0;
            for (int j = 0; j < 8; j++) {
                rr |= ((c) & 1) << (7 - j);
                gg |= ((c >> 1) & 1) << (7 - j);
                bb |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            r[i] = (byte) rr;
            g[i] = (byte) gg;
            b[i] = (byte) bb;
        }
        BufferedImage img =
                new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        img.getRaster().setDataElements(0, 0, w, h, mask);
        return img;
    }

    static void writeJpeg(BufferedImage img, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.92f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
    }
}
