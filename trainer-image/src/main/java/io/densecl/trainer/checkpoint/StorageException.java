package io.densecl.trainer.checkpoint;

import io.densecl.contract.ErrorClass;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The checkpoint storage cannot take a checkpoint: not writable ({@link ErrorClass#StorageNotWritable}) or too
 * small ({@link ErrorClass#InsufficientStorage}); both exit 73.
 */
public final class StorageException extends RuntimeException {
    private final ErrorClass errorClass;
    private final transient Path path;

    /** {@code errorClass} is one of the two storage classes. */
    public StorageException(ErrorClass errorClass, Path path, String message, Throwable cause) {
        super(message, cause);
        if (errorClass != ErrorClass.StorageNotWritable && errorClass != ErrorClass.InsufficientStorage) {
            throw new IllegalArgumentException("not a storage error class: " + errorClass);
        }
        this.errorClass = errorClass;
        this.path = path;
    }

    /** The termination message's {@code error.class}. */
    public ErrorClass errorClass() {
        return errorClass;
    }

    public Path path() {
        return path;
    }

    /** Classifies a failed storage operation on {@code path}: out of space, quota or file size limit, or anything else. */
    public static StorageException of(Path path, String doing, IOException e) {
        return new StorageException(classOf(e), path, doing + " " + path + ": " + describe(e), e);
    }

    /** ENOSPC, EDQUOT and EFBIG mean "too small"; every other failure means "not writable". */
    public static ErrorClass classOf(Throwable e) {
        String m = String.valueOf(
                        e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage())
                .toLowerCase(Locale.ROOT);
        return m.contains("no space left") || m.contains("quota") || m.contains("file too large")
                ? ErrorClass.InsufficientStorage
                : ErrorClass.StorageNotWritable;
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
