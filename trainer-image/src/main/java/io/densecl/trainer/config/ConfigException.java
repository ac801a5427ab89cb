package io.densecl.trainer.config;

/** An invalid configuration value; names the offending field (exit 78). */
public final class ConfigException extends RuntimeException {
    private final String field;

    public ConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
