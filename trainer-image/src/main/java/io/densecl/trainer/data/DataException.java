package io.densecl.trainer.data;

import java.nio.file.Path;

/** The data cannot be used (empty folder, unreadable directory, too many unreadable files, bad masks): exit 65. */
public final class DataException extends RuntimeException {
    private final transient Path path;

    public DataException(String message) {
        this(message, null);
    }

    public DataException(String message, Path path) {
        super(message);
        this.path = path;
    }

    /** The file or directory at fault, when there is one. */
    public Path path() {
        return path;
    }
}
