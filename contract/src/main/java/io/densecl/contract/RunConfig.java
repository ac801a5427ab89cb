package io.densecl.contract;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;

/**
 * The complete configuration of a {@code pretrain} run: what the operator renders into {@code run.json}
 * (nested like the DenseCLRun spec) and what the trainer's flags override. Field names are the keys of
 * {@code run.json}; {@link RunConfigJson} reads it strictly (unknown keys are errors) and
 * {@link RunConfigValidator} checks the values. Defaults are the paper's.
 */
public final class RunConfig {
    /** Identity of the run (namespace, name, uid); informational for the trainer. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Run run = new Run();
    /** Where the training images are. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Data data = new Data();
    /** Backbone and neck sizes. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Model model = new Model();
    /** DenseCL hyper-parameters. */
    @JsonSetter(nulls = Nulls.FAIL)
    public DenseCL denseCL = new DenseCL();
    /** Optimisation schedule and data loading. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Training training = new Training();
    /** Checkpoint directory and triggers. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Checkpoint checkpoint = new Checkpoint();
    /** Where training starts: this run's own checkpoints, another run's, or scratch. */
    @JsonSetter(nulls = Nulls.FAIL)
    public Resume resume = new Resume();
    /**
     * {@code cpu} or {@code gpuN}: the single-device shorthand for {@code devices: [device]}; null means {@code cpu}
     * unless {@link #devices} is set, and with {@code devices} set it must be null or their first entry.
     */
    public String device;
    /**
     * The devices of data-parallel training, one replica of both encoders each ({@code cpu} or {@code gpuN}; a device
     * may repeat); null means {@code [device]}. Each replica takes an equal share of the global batch and of its
     * BatchNorm groups, so the groups (denseCL.bnGroupSize) must split evenly over them; the mathematics and the
     * checkpoint do not depend on how many there are.
     */
    public List<String> devices;
    /** Port of the {@code /progress}, {@code /metrics} and {@code /healthz} endpoints; -1 disables them, 0 picks a free port. */
    public int progressPort = 8080;
    /**
     * {@code /healthz} answers 503 once no training step has completed for this many seconds (a hung
     * trainer, for a liveness probe to restart); never while starting, resuming or writing a checkpoint.
     * 0 disables the check.
     */
    public int healthzStaleSeconds = 1800;
    /** Where the JSON termination message goes; empty means nowhere. */
    public String terminationLog = TerminationMessage.DEFAULT_PATH;

    /** The devices training runs on: {@link #devices} if set, else {@code [device]}, else {@code [cpu]}. */
    public List<String> deviceList() {
        return devices != null ? devices : List.of(device != null ? device : "cpu");
    }

    /** Run identity. */
    public static final class Run {
        public String namespace = "default";
        public String name = "local";
        public String uid = "";
    }

    /** Training data. */
    public static final class Data {
        /** A folder of images (searched recursively) or a list file; required. */
        public String path;
        /** Layout of {@link #path}. */
        public DataFormat format = DataFormat.imageFolder;
        /**
         * Images with more pixels (width x height, read from the header before decoding) are skipped as
         * unreadable: decompression bombs. PIL's default limit, {@code Image.MAX_IMAGE_PIXELS}; at most
         * {@link Limits#MAX_IMAGE_PIXELS}.
         */
        public long maxImagePixels = 89_478_485L;
        /** The run fails (exit 65) once more than this fraction of the files turned out unreadable; in [0, 1]. */
        public double maxUnreadableFraction = 0.1;
    }

    /** Model shape. */
    public static final class Model {
        public Backbone backbone = Backbone.resnet50;
        /** Hidden width of the global and dense projection heads. */
        public int hid = 2048;
        /** Output dimension of the projection heads. */
        public int dim = 128;
    }

    /** DenseCL hyper-parameters (the official implementation's defaults). */
    public static final class DenseCL {
        /** Length of both negative queues; a multiple of training.batchSize. */
        public int queueSize = 65536;
        /** Momentum of the key encoder, in [0, 1). */
        public double momentum = 0.999;
        /** Softmax temperature of both InfoNCE losses, in [{@link Limits#MIN_TEMPERATURE}, {@link Limits#MAX_TEMPERATURE}]. */
        public double temperature = 0.2;
        /** Weight of the dense loss, in [0, 1]. */
        public double lossLambda = 0.5;
        /** Optimiser steps during which the dense loss weight is 0. */
        public long lambdaWarmupIters = 0;
        /**
         * Images per BatchNorm group (Shuffle BN), at least {@link Limits#MIN_BN_GROUP_SIZE}: every BatchNorm of
         * both encoders normalises groups of this many images separately, G = max(1, batchSize / bnGroupSize);
         * a batch larger than one group must be a multiple of it. 32 is the official per-GPU batch.
         */
        public int bnGroupSize = 32;
    }

    /** Optimisation and loading. */
    public static final class Training {
        /** The official recipe whose lr and epochs apply where this config sets none ({@link Recipe}). */
        public Recipe recipe = Recipe.DEFAULT;
        /** Epochs, > 0; null takes the recipe's (imagenet 200, coco 800). */
        public Integer epochs;

        public int batchSize = 256;
        /**
         * Base learning rate per 256 images, in (0, {@link Limits#MAX_LR}] (the effective rate is lr * batchSize / 256);
         * null takes the recipe's (imagenet 0.03, coco 0.3).
         */
        public Double lr;
        /** SGD momentum, in [0, 1). */
        public double momentum = 0.9;
        /** SGD weight decay, applied to every parameter; in [0, {@link Limits#MAX_WEIGHT_DECAY}]. */
        public double weightDecay = 1e-4;

        public Schedule schedule = Schedule.cosine;
        /** Seed of the data order, the augmentations and the initial weights. */
        public long seed = 0;
        /** Side of the random crops in pixels: a multiple of {@link Limits#IMAGE_SIZE_MULTIPLE} up to {@link Limits#MAX_IMAGE_SIZE}. */
        public int imageSize = 224;
        /** Data loader threads, at least {@link Limits#MIN_WORKERS} (a DenseCLRun defaults to more: a GPU node needs them). */
        public int workers = 2;
        /** Stop each epoch after this many steps (0: the whole epoch); for smoke runs. */
        public int maxStepsPerEpoch = 0;
        /** Threads of libtorch's intra-op pool (0: libtorch's default). */
        public int threads = 0;
    }

    /** Checkpointing. */
    public static final class Checkpoint {
        /** This run's checkpoint directory; required. */
        public String dir;
        /** Every this many epochs; 0 disables. */
        public int intervalEpochs = 1;
        /** At least every this many minutes; 0 disables. */
        public int intervalMinutes = 30;
        /** Every this many optimiser steps; 0 disables. */
        public int intervalSteps = 0;
        /** Checkpoints kept; the one LATEST names is never deleted. */
        public int keepLast = 3;
        /**
         * A JSON file {@code {"epochs": [50, 100]}}, re-read at every prune: valid checkpoints of a listed epoch are
         * kept beyond keepLast (an evaluation has yet to read them). Null or a missing file pins nothing.
         */
        public String pinFile;
    }

    /** Resume behaviour. */
    public static final class Resume {
        public ResumeMode mode = ResumeMode.Auto;
        /** A checkpoint directory of another run to start from while this run has none; null for none. */
        public String fromDir;
        /** With fromDir: load the weights only (fresh optimiser, queues and schedule). */
        public boolean warmStart = false;
    }
}
