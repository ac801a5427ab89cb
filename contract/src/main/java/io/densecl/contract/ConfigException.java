package io.densecl.contract;

/** An invalid configuration value or key (exit 78); names the offending field as a run.json path or flag. */
public final class ConfigException extends RuntimeException {
    private final String field;

    public ConfigException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public ConfigException(ConfigViolation violation) {
        this(violation.field(), violation.message());
    }

    public String field() {
        return field;
    }
}
