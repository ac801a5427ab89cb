package io.densecl.trainer.train;

/** The loss or the state became non-finite or exploded: a counted failure ({@code TrainingDiverged}), never checkpointed. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
