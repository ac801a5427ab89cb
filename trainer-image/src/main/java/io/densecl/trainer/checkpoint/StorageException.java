package io.densecl.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/** The checkpoint storage cannot take a checkpoint: not writable, or too small (exit 73). */
public final class StorageException extends RuntimeException {
    /** The error class of the termination message. */
    public enum Kind { StorageNotWritable, InsufficientStorage }

    private final Kind kind;
    private final Path path;

    public StorageException(Kind kind, Path path, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.path = path;
    }

    public Kind kind() {
        return kind;
    }

    public Path path() {
        return path;
    }

    /** Classifies a failed storage operation on {@code path}: out of space, quota or file size limit, or anything else. */
    public static StorageException of(Path path, String doing, IOException e) {
        return new StorageException(kindOf(e), path, doing + " " + path + ": " + describe(e), e);
    }

    /** ENOSPC, EDQUOT and EFBIG mean "too small"; every other failure means "not writable". */
    public static Kind kindOf(Throwable e) {
        String m = String.valueOf(e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage())
                .toLowerCase(Locale.ROOT);
        return m.contains("no space left") || m.contains("quota") || m.contains("file too large")
                ? Kind.InsufficientStorage : Kind.StorageNotWritable;
    }

    /** A readable reason: AccessDeniedException's message is only the path. */
    public static String describe(Throwable e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied (" + a.getFile() + ")";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason() + " (" + fs.getFile() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
