package io.densecl.trainer.eval;

import io.densecl.contract.ConfigException;
import io.densecl.trainer.data.DataException;
import io.densecl.trainer.data.ImageDecoder;
import io.densecl.trainer.data.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A VOC-format segmentation dataset: {@code JPEGImages/<id>.jpg}, {@code SegmentationClass/<id>.png}
 * (palette or grayscale PNG of class ids, 255 ignored), {@code ImageSets/Segmentation/{train,val}.txt}.
 * The paper protocol reads the VOC12aug layout (as mmsegmentation's {@code voc12aug}): training ids from
 * {@code train.txt} (masks in {@code SegmentationClass/}) plus {@code aug.txt} (masks in
 * {@code SegmentationClassAug/}, the SBD annotations), validation from {@code val.txt}.
 * Every problem (missing mask, size mismatch, label out of range) is a data error naming the file.
 */
public final class SegmentationData {
    /** A decoded sample: the image and its per-pixel labels (row-major). */
    public record Sample(String id, RgbImage image, int[] labels) {}

    private final Path root;
    private final int classes;
    private final List<String> trainIds;
    private final List<String> valIds;
    private final java.util.Set<String> augIds;

    private SegmentationData(
            Path root, int classes, List<String> trainIds, List<String> valIds, java.util.Set<String> augIds) {
        this.root = root;
        this.classes = classes;
        this.trainIds = trainIds;
        this.valIds = valIds;
        this.augIds = augIds;
    }

    /** Opens and validates the dataset; {@code classes} <= 0 reads classes.txt. */
    public static SegmentationData open(Path root, int classes) throws IOException {
        return open(root, classes, false);
    }

    /** As {@link #open(Path, int)}; {@code voc12aug} adds aug.txt's ids with masks from SegmentationClassAug/. */
    public static SegmentationData open(Path root, int classes, boolean voc12aug) throws IOException {
        Path sets = root.resolve("ImageSets/Segmentation");
        if (!Files.isDirectory(root.resolve("JPEGImages")) || !Files.isDirectory(sets)) {
            throw new ConfigException(
                    "--data",
                    "'" + root
                            + "' is not a VOC-format dataset (JPEGImages/, SegmentationClass/, ImageSets/Segmentation/)");
        }
        if (classes <= 0) {
            Path names = root.resolve("classes.txt");
            if (!Files.isRegularFile(names)) {
                throw new ConfigException("--classes", "is required when " + names + " does not exist");
            }
            classes = (int)
                    Files.readAllLines(names).stream().filter(l -> !l.isBlank()).count();
        }
        List<String> train = new ArrayList<>(ids(sets.resolve("train.txt")));
        java.util.Set<String> aug = new java.util.LinkedHashSet<>();
        if (voc12aug) {
            if (!Files.isDirectory(root.resolve("SegmentationClassAug"))
                    || !Files.isRegularFile(sets.resolve("aug.txt"))) {
                throw new ConfigException(
                        "--data",
                        "'" + root + "' is not in the VOC12aug layout the paper protocol trains on "
                                + "(SegmentationClassAug/ and ImageSets/Segmentation/aug.txt beside the VOC2012 folders)");
            }
            for (String id : ids(sets.resolve("aug.txt"))) {
                if (!train.contains(id) && aug.add(id)) train.add(id);
            }
        }
        SegmentationData d = new SegmentationData(root, classes, train, ids(sets.resolve("val.txt")), aug);
        for (String id : d.trainIds) d.load(id);
        for (String id : d.valIds) d.load(id);
        return d;
    }

    private static List<String> ids(Path list) throws IOException {
        if (!Files.isRegularFile(list)) {
            throw new DataException("missing split list " + list);
        }
        List<String> ids = new ArrayList<>();
        for (String l : Files.readAllLines(list)) {
            if (!l.isBlank()) ids.add(l.strip().split("\\s+")[0]);
        }
        if (ids.isEmpty()) {
            throw new DataException("split list " + list + " is empty");
        }
        return ids;
    }

    public int classes() {
        return classes;
    }

    public List<String> trainIds() {
        return trainIds;
    }

    public List<String> valIds() {
        return valIds;
    }

    public Sample load(String id) throws IOException {
        Path jpg = root.resolve("JPEGImages").resolve(id + ".jpg");
        Path png = root.resolve(augIds.contains(id) ? "SegmentationClassAug" : "SegmentationClass")
                .resolve(id + ".png");
        if (!Files.isRegularFile(jpg)) throw new DataException("missing image " + jpg);
        if (!Files.isRegularFile(png))
            throw new DataException("missing mask " + png + " for image " + jpg.getFileName());
        RgbImage image;
        try {
            image = ImageDecoder.decode(jpg);
        } catch (ImageDecoder.UnreadableImageException e) {
            throw new DataException(e.getMessage());
        }
        BufferedImage mask = javax.imageio.ImageIO.read(png.toFile());
        if (mask == null) throw new DataException("unreadable mask " + png);
        boolean indexedOrGray = mask.getColorModel() instanceof IndexColorModel
                || mask.getRaster().getNumBands() == 1;
        if (!indexedOrGray) throw new DataException("mask " + png + " must be a palette or grayscale PNG of class ids");
        if (mask.getWidth() != image.width() || mask.getHeight() != image.height()) {
            throw new DataException("mask " + png + " is " + mask.getWidth() + "x" + mask.getHeight() + " but image "
                    + jpg.getFileName() + " is " + image.width() + "x" + image.height());
        }
        int[] labels = mask.getRaster().getSamples(0, 0, mask.getWidth(), mask.getHeight(), 0, (int[]) null);
        for (int v : labels) {
            if (v != SegmentationMetrics.IGNORE && (v < 0 || v >= classes)) {
                throw new DataException(
                        "mask " + png + " has label " + v + " outside [0, " + classes + ") (255 = ignore)");
            }
        }
        return new Sample(id, image, labels);
    }
}
