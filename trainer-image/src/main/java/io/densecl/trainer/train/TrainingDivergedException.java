package io.densecl.trainer.train;

/** The training state is not finite or has exploded: a counted failure, and never checkpointed. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
