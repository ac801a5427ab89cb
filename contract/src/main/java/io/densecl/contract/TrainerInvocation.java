package io.densecl.contract;

/**
 * How the operator starts the trainer: the executable, the sub-commands and the flags and environment
 * variables it passes. The trainer's picocli options use the same constants, so a renamed flag breaks the
 * build instead of a pod.
 */
public final class TrainerInvocation {
    public static final String EXECUTABLE = "densecl-trainer";
    public static final String PRETRAIN = "pretrain";
    public static final String EVALUATE = "evaluate";
    /** pretrain: the run configuration file (run.json). */
    public static final String CONFIG = "--config";
    /** pretrain: the attempt index. */
    public static final String ATTEMPT = "--attempt";
    /** evaluate: the downstream task ({@link EvaluationTask}). */
    public static final String TASK = "--task";
    /** evaluate: the labelled data. */
    public static final String DATA = "--data";
    /** evaluate: the pretrain checkpoint directory whose backbone is evaluated. */
    public static final String CHECKPOINT = "--checkpoint";
    /** evaluate: with {@link #CHECKPOINT} a run's directory, the first checkpoint of this epoch (a periodic evaluation). */
    public static final String CHECKPOINT_EPOCH = "--checkpoint-epoch";
    /** evaluate: the settings family ({@link EvaluationProtocol}). */
    public static final String PROTOCOL = "--protocol";
    /** evaluate: fine-tune / probe epochs. */
    public static final String EPOCHS = "--epochs";
    /** evaluate: training crop or input size in pixels. */
    public static final String IMAGE_SIZE = "--image-size";
    /** evaluate: images per step. */
    public static final String BATCH_SIZE = "--batch-size";
    /** evaluate: segmentation classes including background. */
    public static final String CLASSES = "--classes";
    /** evaluate: the device ({@code cpu} or {@code gpuN}). */
    public static final String DEVICE = "--device";
    /** evaluate: the result file. */
    public static final String OUT = "--out";
    /** Both: the termination message file (default {@link TerminationMessage#DEFAULT_PATH}). */
    public static final String TERMINATION_LOG = "--termination-log";
    /** The attempt index when {@code --attempt} is not given. */
    public static final String ENV_ATTEMPT = "DENSECL_ATTEMPT";

    private TrainerInvocation() {}
}
