package io.densecl.contract;

/** One problem with a run configuration: the run.json path of the field and what is wrong with it. */
public record ConfigViolation(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
