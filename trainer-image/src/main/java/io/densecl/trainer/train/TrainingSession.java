package io.densecl.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The live training objects of one process: per device a manager, a model replica and its optimiser. Closed together. */
public final class TrainingSession implements AutoCloseable {
    private final List<Replica> replicas = new ArrayList<>();

    /**
     * One replica of the training state on one device: both encoders and queues, the SGD momentum, and the
     * device's manager. Data-parallel replicas are kept bitwise equal; replica 0's state is the checkpointed one.
     */
    public record Replica(DenseCLModel model, FlatSgd sgd, NDManager manager, Device device) {}

    /**
     * Replica 0 initialised from the seed on the first device, then a device-to-device copy of it on every other
     * device of {@code devices} (each holding G/R of the G BatchNorm groups).
     */
    public TrainingSession(RunConfig c) {
        List<String> names = c.deviceList();
        int groups = bnGroups(c);
        if (groups % names.size() != 0) {
            throw new IllegalArgumentException(
                    groups + " BatchNorm groups cannot be split over " + names.size() + " devices");
        }
        Encoder encoder = new Encoder(c.model.backbone.name(), c.model.hid, c.model.dim);
        DenseCLModel.Hyper hyper = new DenseCLModel.Hyper(
                c.denseCL.queueSize,
                c.denseCL.momentum,
                c.denseCL.temperature,
                c.denseCL.lossLambda,
                c.denseCL.lambdaWarmupIters,
                groups / names.size());
        try {
            for (String name : names) {
                Device device = device(name);
                NDManager manager = NDManager.newBaseManager(device, "PyTorch");
                DenseCLModel model = replicas.isEmpty()
                        ? DenseCLModel.create(
                                encoder, hyper, Initializer.official(c.training.seed), c.training.seed, manager)
                        : replicas.get(0).model().replicaOn(manager);
                replicas.add(new Replica(
                        model,
                        new FlatSgd(model.query().params(), c.training.momentum, c.training.weightDecay),
                        manager,
                        device));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Copies replica 0's complete state to every other replica (after a checkpoint was loaded into it). */
    public void syncReplicas() {
        Replica first = replicas.get(0);
        for (Replica other : replicas.subList(1, replicas.size())) {
            other.model().copyFrom(first.model());
            other.sgd().copyFrom(first.sgd());
        }
    }

    /** The replicas, one per device in the order of {@code devices}. */
    public List<Replica> replicas() {
        return replicas;
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

    /** As {@link #engineInfo(Device)}, plus every replica's device when there are several. */
    public Map<String, String> engineInfo() {
        Map<String, String> m = engineInfo(device());
        if (replicas.size() > 1) {
            m.put(
                    "devices",
                    String.join(
                            ",",
                            replicas.stream().map(r -> r.device().toString()).toList()));
        }
        return m;
    }

    /** The first device: replica 0's, whose state is checkpointed. */
    public Device device() {
        return replicas.get(0).device();
    }

    public NDManager manager() {
        return replicas.get(0).manager();
    }

    public DenseCLModel model() {
        return replicas.get(0).model();
    }

    public FlatSgd sgd() {
        return replicas.get(0).sgd();
    }

    @Override
    public void close() {
        for (Replica r : replicas) {
            r.sgd().close();
            r.model().close();
            r.manager().close();
        }
    }

    /** The requested accelerator is missing or failed (exit 74: retry elsewhere). */
    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
