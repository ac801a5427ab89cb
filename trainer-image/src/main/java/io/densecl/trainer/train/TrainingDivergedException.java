package io.densecl.trainer.train;

/** The loss or the state became NaN or infinite: a counted failure ({@code TrainingDiverged}), never checkpointed. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
