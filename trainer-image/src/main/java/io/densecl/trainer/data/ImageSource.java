package io.densecl.trainer.data;

import io.densecl.contract.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

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
            default ->
                throw new ConfigException(
                        "data.format", "'" + format + "' is not supported by this trainer (imageFolder, list)");
        };
        if (files.isEmpty()) {
            throw new DataException("no images (" + String.join(", ", EXTENSIONS) + ") found in " + path);
        }
        return new ImageSource(files);
    }

    /**
     * All image files under {@code root}, sorted by path so the order is the same on every machine. A
     * directory that cannot be read or a symbolic-link loop is a data error naming it: skipping it would
     * silently train on part of the data.
     */
    static List<Path> scanFolder(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ConfigException("data.path", "'" + root + "' is not a directory (format imageFolder)");
        }
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(
                    root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && hasImageExtension(file)) {
                                found.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            throw scanError(file, e);
                        }
                    });
        } catch (IOException e) {
            throw scanError(root, e);
        }
        found.sort(null);
        return found;
    }

    private static DataException scanError(Path file, IOException e) {
        if (e instanceof FileSystemLoopException) {
            return new DataException(
                    "symbolic link loop in the data folder at " + file + " (it leads back to a directory above it)",
                    file);
        }
        if (e instanceof AccessDeniedException) {
            return new DataException("cannot read " + file + " in the data folder: permission denied", file);
        }
        return new DataException("cannot read " + file + " in the data folder: " + e, file);
    }

    /**
     * One path per line (blank lines and # comments ignored), relative paths resolved against the list's
     * folder. The list must be UTF-8: a line that is not is a data error naming the line.
     */
    static List<Path> readList(Path list) {
        if (!Files.isRegularFile(list)) {
            throw new ConfigException("data.path", "'" + list + "' is not a file (format list)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(list);
        } catch (IOException e) {
            throw new DataException("cannot read the list file " + list + ": " + e, list);
        }
        Path base = list.toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNo = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            lineNo++;
            String line;
            try {
                line = utf8.decode(ByteBuffer.wrap(bytes, start, end - start))
                        .toString()
                        .strip();
            } catch (CharacterCodingException e) {
                throw new DataException("list file " + list + " line " + lineNo + " is not valid UTF-8", list);
            }
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String entry = line.split("\\s+")[0];
            try {
                files.add(base.resolve(entry));
            } catch (InvalidPathException e) {
                throw new DataException(
                        "list file " + list + " line " + lineNo + " is not a valid path (" + e.getReason() + ")", list);
            }
        }
        return files;
    }

    static boolean hasImageExtension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }
}
