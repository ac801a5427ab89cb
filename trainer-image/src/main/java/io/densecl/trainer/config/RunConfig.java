package io.densecl.trainer.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The complete configuration of a {@code pretrain} run: what the operator renders into
 * {@code run.json} (docs/contract.md) and what CLI flags override. Defaults are the paper's.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class RunConfig {
    /** Identity of the run (namespace, name, uid); informational for the trainer. */
    public Run run = new Run();
    /** Where the training images are. */
    public Data data = new Data();
    /** Backbone and neck sizes. */
    public Model model = new Model();
    /** DenseCL hyper-parameters. */
    public DenseCL denseCL = new DenseCL();
    /** Optimisation schedule and data loading. */
    public Training training = new Training();
    /** Checkpoint directory and triggers. */
    public Checkpoint checkpoint = new Checkpoint();
    /** How to start: resume automatically, never, or from another run's checkpoint. */
    public Resume resume = new Resume();
    /** {@code cpu} or {@code gpuN}. */
    public String device = "cpu";
    /** Port of the {@code /progress}, {@code /metrics} and {@code /healthz} endpoints; 0 picks a free port, -1 disables them. */
    public int progressPort = 8080;
    /**
     * {@code /healthz} answers 503 once no training step has completed for this many seconds (a hung
     * trainer, for a liveness probe to restart); never while starting, resuming or writing a checkpoint.
     * 0 disables the check.
     */
    public int healthzStaleSeconds = 1800;
    /** Where the JSON termination message goes. */
    public String terminationLog = "/dev/termination-log";

    /** Run identity. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Run {
        public String namespace = "default";
        public String name = "local";
        public String uid = "";
    }

    /** Training data. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Data {
        /** A folder of images (searched recursively) or a list file. */
        public String path;
        /** imageFolder (default), list (one path per line, relative to the list's folder) or coco. */
        public String format = "imageFolder";
        /**
         * Images with more pixels (width x height, read from the header before decoding) are skipped as
         * unreadable: decompression bombs. PIL's default limit, {@code Image.MAX_IMAGE_PIXELS}.
         */
        public long maxImagePixels = 89_478_485L;
        /** The run fails (exit 65) once more than this fraction of the files turned out unreadable. */
        public double maxUnreadableFraction = 0.1;
    }

    /** Model shape. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Model {
        public String backbone = "resnet50";
        public int hid = 2048;
        public int dim = 128;
    }

    /** DenseCL hyper-parameters (DESIGN.md §3). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class DenseCL {
        public int queueSize = 65536;
        public double momentum = 0.999;
        public double temperature = 0.2;
        public double lossLambda = 0.5;
        public long lambdaWarmupIters = 0;
    }

    /** Optimisation and loading. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Training {
        public int epochs = 200;
        public int batchSize = 256;
        /** Base learning rate per 256 images; the effective rate is lr * batchSize / 256. */
        public double lr = 0.03;
        public double momentum = 0.9;
        public double weightDecay = 1e-4;
        /** cosine (per epoch, to 0) or constant. */
        public String schedule = "cosine";
        public long seed = 0;
        public int imageSize = 224;
        public int workers = 2;
        /** Stop each epoch after this many steps (0: the whole epoch); for smoke tests. */
        public int maxStepsPerEpoch = 0;
        /** Threads of libtorch's intra-op pool (0: libtorch default). */
        public int threads = 0;
    }

    /** Checkpointing. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Checkpoint {
        public String dir;
        public int intervalEpochs = 1;
        public int intervalMinutes = 30;
        public int intervalSteps = 0;
        public int keepLast = 3;
    }

    /** Resume behaviour. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Resume {
        /** Auto (continue from this run's latest checkpoint) or Never. */
        public String mode = "Auto";
        /** A checkpoint directory of another run to start from. */
        public String fromDir;
        /** With fromDir: load weights only, fresh optimiser, queues and schedule. */
        public boolean warmStart = false;
    }
}
