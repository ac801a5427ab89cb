package io.densecl.trainer.data;

import io.densecl.contract.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The ordered list of training image files, from an image folder (recursive) or a list file. */
public final class ImageSource {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");
    private final List<Path> files;

    private ImageSource(List<Path> files) {
        this.files = List.copyOf(files);
    }

    public List<Path> files() {
        return files;
    }

    public int size() {
        return files.size();
    }

    /** Opens {@code path} as {@code format} (imageFolder or list); missing is a config error, empty a data error. */
    public static ImageSource open(Path path, String format) {
        if (!Files.exists(path)) {
            throw new ConfigException("data.path", "'" + path + "' does not exist");
        }
        List<Path> files = switch (format) {
            case "imageFolder" -> scanFolder(path);
            case "list" -> readList(path);
            default -> throw new ConfigException("data.format", "'" + format + "' is not supported by this trainer (imageFolder, list)");
        };
        if (files.isEmpty()) {
            throw new DataException("no images (" + String.join(", ", EXTENSIONS) + ") found in " + path);
        }
        return new ImageSource(files);
    }

    /** All image files under {@code root}, sorted by path so the order is the same on every machine. */
    static List<Path> scanFolder(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ConfigException("data.path", "'" + root + "' is not a directory (format imageFolder)");
        }
        try (Stream<Path> walk = Files.walk(root, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(Files::isRegularFile).filter(ImageSource::hasImageExtension).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One path per line (blank lines and # comments ignored), relative paths resolved against the list's folder. */
    static List<Path> readList(Path list) {
        if (!Files.isRegularFile(list)) {
            throw new ConfigException("data.path", "'" + list + "' is not a file (format list)");
        }
        try (Stream<String> lines = Files.lines(list)) {
            Path base = list.toAbsolutePath().getParent();
            return lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .map(l -> base.resolve(l.split("\\s+")[0])).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean hasImageExtension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
