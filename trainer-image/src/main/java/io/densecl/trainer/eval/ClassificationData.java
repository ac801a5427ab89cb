package io.densecl.trainer.eval;

import io.densecl.contract.ConfigException;
import io.densecl.trainer.data.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Image-folder classification data: {@code <root>/train/<class>/*} and {@code <root>/val/<class>/*}
 * (or the same under {@code <root>/ImageFolder/}, as {@code synth} writes it). Class ids follow the
 * sorted class-folder names of the train split.
 */
public final class ClassificationData {
    /** One split's files and labels. */
    public record Split(List<Path> files, int[] labels) {}

    private final List<String> classes;
    private final Split train;
    private final Split val;

    private ClassificationData(List<String> classes, Split train, Split val) {
        this.classes = classes;
        this.train = train;
        this.val = val;
    }

    public static ClassificationData open(Path root) {
        Path base = Files.isDirectory(root.resolve("ImageFolder")) ? root.resolve("ImageFolder") : root;
        for (String split : new String[] {"train", "val"}) {
            if (!Files.isDirectory(base.resolve(split))) {
                throw new ConfigException(
                        "--data",
                        "'" + base + "' has no " + split + "/ folder (expected <data>/{train,val}/<class>/images)");
            }
        }
        List<String> classes = classFolders(base.resolve("train"));
        if (classes.size() < 2) {
            throw new DataException(base.resolve("train") + " must hold at least two class folders, found " + classes);
        }
        return new ClassificationData(
                classes, split(base.resolve("train"), classes), split(base.resolve("val"), classes));
    }

    public List<String> classes() {
        return classes;
    }

    public Split train() {
        return train;
    }

    public Split val() {
        return val;
    }

    private static List<String> classFolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Split split(Path dir, List<String> classes) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String folder : classFolders(dir)) {
            int label = classes.indexOf(folder);
            if (label < 0) {
                throw new DataException("class folder " + dir.resolve(folder) + " does not exist in the train split");
            }
            try (Stream<Path> s = Files.list(dir.resolve(folder))) {
                s.filter(p -> p.getFileName()
                                .toString()
                                .toLowerCase(Locale.ROOT)
                                .matches(".*\\.(jpe?g|png|bmp)$"))
                        .sorted()
                        .forEach(p -> {
                            files.add(p);
                            labels.add(label);
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (files.isEmpty()) {
            throw new DataException("no images in " + dir);
        }
        return new Split(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
