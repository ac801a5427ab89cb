package io.densecl.operator.state;

/** How an attempt ended, and which budget (if any) it is charged to. */
public record AttemptOutcome(Kind kind, String reason, Integer exitCode, String message, String field) {

    /**
     * Success, a failure charged to backoffLimit, a disruption charged to maxDisruptions, a do-not-retry error, or
     * an end charged to no budget that is retried after a short wait (another trainer still holds the checkpoints).
     */
    public enum Kind {
        SUCCESS,
        COUNTED,
        DISRUPTION,
        FATAL,
        NOT_COUNTED
    }

    public static AttemptOutcome counted(String reason, Integer exitCode, String message) {
        return new AttemptOutcome(Kind.COUNTED, reason, exitCode, message, null);
    }

    public static AttemptOutcome disruption(String reason, Integer exitCode, String message) {
        return new AttemptOutcome(Kind.DISRUPTION, reason, exitCode, message, null);
    }

    public static AttemptOutcome notCounted(String reason, Integer exitCode, String message) {
        return new AttemptOutcome(Kind.NOT_COUNTED, reason, exitCode, message, null);
    }

    /** The kind as written to status.lastFailure.kind. */
    public String kindLabel() {
        return switch (kind) {
            case SUCCESS -> "Success";
            case COUNTED -> "Counted";
            case DISRUPTION -> "Disruption";
            case FATAL -> "Fatal";
            case NOT_COUNTED -> "NotCounted";
        };
    }
}
