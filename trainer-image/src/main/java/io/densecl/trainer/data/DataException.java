package io.densecl.trainer.data;

/** The data cannot be used (empty folder, every file unreadable, bad masks): exit 65. */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }
}
