package io.densecl.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import java.util.LinkedHashMap;
import java.util.Map;

/** The live training objects of one process: device manager, model, optimiser. Closed together. */
public final class TrainingSession implements AutoCloseable {
    private final NDManager manager;
    private final DenseCLModel model;
    private final FlatSgd sgd;
    private final Device device;

    public TrainingSession(RunConfig c) {
        this.device = device(c.deviceList().get(0));
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        Encoder encoder = new Encoder(c.model.backbone.name(), c.model.hid, c.model.dim);
        DenseCLModel.Hyper hyper = new DenseCLModel.Hyper(c.denseCL.queueSize, c.denseCL.momentum,
                c.denseCL.temperature, c.denseCL.lossLambda, c.denseCL.lambdaWarmupIters, bnGroups(c));
        this.model = DenseCLModel.create(encoder, hyper, Initializer.official(c.training.seed), c.training.seed, manager);
        this.sgd = new FlatSgd(model.query().params(), c.training.momentum, c.training.weightDecay);
    }

    /** BatchNorm groups of a batch: max(1, batchSize / bnGroupSize) (validation made it divide). */
    public static int bnGroups(RunConfig c) {
        return Math.max(1, c.training.batchSize / c.denseCL.bnGroupSize);
    }

    /** {@code cpu} or {@code gpuN}; a GPU that does not exist is a device fault. */
    public static Device device(String name) {
        if ("cpu".equals(name)) {
            return Device.cpu();
        }
        int id;
        try {
            id = Integer.parseInt(name.substring(3));
        } catch (RuntimeException e) {
            throw new io.densecl.contract.ConfigException("device", "must be cpu or gpuN, got '" + name + "'");
        }
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        if (id >= gpus) {
            throw new DeviceUnavailableException("device " + name + " requested but " + gpus + " GPU(s) are visible");
        }
        return Device.gpu(id);
    }

    /** Engine facts recorded in checkpoint manifests. */
    public static Map<String, String> engineInfo(Device device) {
        Map<String, String> m = new LinkedHashMap<>();
        Engine e = Engine.getEngine("PyTorch");
        m.put("engine", e.getEngineName());
        m.put("engineVersion", e.getVersion());
        m.put("djl", Engine.getDjlVersion());
        m.put("device", device.toString());
        return m;
    }

    public Device device() {
        return device;
    }

    public NDManager manager() {
        return manager;
    }

    public DenseCLModel model() {
        return model;
    }

    public FlatSgd sgd() {
        return sgd;
    }

    @Override
    public void close() {
        sgd.close();
        model.close();
        manager.close();
    }

    /** The requested accelerator is missing or failed (exit 74: retry elsewhere). */
    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
