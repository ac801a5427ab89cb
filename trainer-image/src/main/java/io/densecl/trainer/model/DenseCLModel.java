package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * DenseCL (Wang et al., CVPR 2021): a query encoder trained by SGD, a momentum key encoder, and two
 * queues of negatives (global and dense). {@link #forwardTrain} follows the official
 * {@code DenseCL.forward_train}: query forward, EMA of the key encoder, key forward, global and dense
 * InfoNCE, enqueue. Backward and the SGD step belong to the training loop.
 */
public final class DenseCLModel implements AutoCloseable {
    private final Encoder encoder;
    private final Hyper hyper;
    private final NDManager manager;
    private final FlatState query;
    private final FlatState key;
    private final NDArray queue; // [dim, K] global negatives, L2-normalised columns
    private final NDArray queue2; // [dim, K] dense negatives (pooled dense-head keys)
    private long queuePtr;
    private long queue2Ptr;

    private KeyShuffle shuffle;

    /**
     * The DenseCL hyper-parameters the model itself needs; {@code bnGroups} is the number of BatchNorm
     * groups of the batch (Shuffle BN; 1 = one BatchNorm over the whole batch, no key shuffle).
     */
    public record Hyper(
            int queueSize,
            double momentum,
            double temperature,
            double lossLambda,
            long lambdaWarmupIters,
            int bnGroups) {
        public Hyper {
            if (bnGroups < 1) {
                throw new IllegalArgumentException("bnGroups must be >= 1, got " + bnGroups);
            }
        }

        /** One BatchNorm group. */
        public Hyper(int queueSize, double momentum, double temperature, double lossLambda, long lambdaWarmupIters) {
            this(queueSize, momentum, temperature, lossLambda, lambdaWarmupIters, 1);
        }

        /** The loss weight of the step: 0 during the optional warm-up, then lossLambda. */
        public double lambdaAt(long iteration) {
            return iteration < lambdaWarmupIters ? 0.0 : lossLambda;
        }
    }

    /**
     * Everything one forward pass yields (keys back in batch order); the arrays live until the step's
     * scope closes. {@code lambda} is the dense-loss weight this step used.
     */
    public record Outputs(
            NDArray loss,
            NDArray lossGlobal,
            NDArray lossDense,
            double lambda,
            NDArray q,
            NDArray k,
            NDArray k2,
            NDArray qGrid,
            NDArray correspondence) {}

    private DenseCLModel(
            Encoder encoder,
            Hyper hyper,
            NDManager manager,
            FlatState query,
            FlatState key,
            NDArray queue,
            NDArray queue2) {
        this.encoder = encoder;
        this.hyper = hyper;
        this.manager = manager;
        this.query = query;
        this.key = key;
        this.queue = queue;
        this.queue2 = queue2;
        query.params().setRequiresGradient(true);
    }

    /** Replaces the key-batch permutation (tests inject a reference's permutations). */
    public void setKeyShuffle(KeyShuffle shuffle) {
        this.shuffle = shuffle;
    }

    /**
     * A fresh model: query encoder from {@code init}, key encoder an exact copy, queues random
     * normal columns normalised to unit length (as {@code F.normalize(torch.randn(dim, K), dim=0)}).
     */
    public static DenseCLModel create(Encoder encoder, Hyper hyper, Initializer init, long seed, NDManager parent) {
        NDManager m = parent.newSubManager();
        ParameterLayout layout = encoder.layout();
        FlatState q = new FlatState(layout, m.create(init.parameters(layout)), m.create(Initializer.buffers(layout)));
        FlatState k = FlatState.zeros(layout, m);
        k.copyFrom(q);
        float[] noise = new float[encoder.dim() * hyper.queueSize()];
        Initializer.gaussian(io.densecl.trainer.util.SplitMix64.of(seed, 0x9E9E), noise, 0, noise.length, 1.0);
        NDArray qu =
                m.create(noise, new Shape(encoder.dim(), hyper.queueSize())).normalize(2, 0, 1e-12);
        Initializer.gaussian(io.densecl.trainer.util.SplitMix64.of(seed, 0x9E9F), noise, 0, noise.length, 1.0);
        NDArray qu2 =
                m.create(noise, new Shape(encoder.dim(), hyper.queueSize())).normalize(2, 0, 1e-12);
        DenseCLModel model = new DenseCLModel(encoder, hyper, m, q, k, qu, qu2);
        model.setKeyShuffle(KeyShuffle.counterBased(seed));
        return model;
    }

    /**
     * A replica on {@code parent}'s device (data-parallel training): the same encoder, hyper-parameters and key
     * permutation, and a device-to-device copy of every tensor and both queue pointers.
     */
    public DenseCLModel replicaOn(NDManager parent) {
        NDManager m = parent.newSubManager();
        ParameterLayout layout = encoder.layout();
        DenseCLModel r = new DenseCLModel(
                encoder,
                hyper,
                m,
                FlatState.zeros(layout, m),
                FlatState.zeros(layout, m),
                m.zeros(queue.getShape(), DataType.FLOAT32),
                m.zeros(queue2.getShape(), DataType.FLOAT32));
        r.setKeyShuffle(shuffle);
        r.copyFrom(this);
        return r;
    }

    /** Makes this model's state (both encoders, BatchNorm statistics, queues, pointers) a copy of {@code other}'s. */
    public void copyFrom(DenseCLModel other) {
        try (GradMode ignored = GradMode.off()) {
            DeviceCopy.into(other.query.params(), query.params());
            DeviceCopy.into(other.query.buffers(), query.buffers());
            DeviceCopy.into(other.key.params(), key.params());
            DeviceCopy.into(other.key.buffers(), key.buffers());
            DeviceCopy.into(other.queue, queue);
            DeviceCopy.into(other.queue2, queue2);
        }
        setQueuePointers(other.queuePtr, other.queue2Ptr);
    }

    public Encoder encoder() {
        return encoder;
    }

    public Hyper hyper() {
        return hyper;
    }

    public FlatState query() {
        return query;
    }

    public FlatState key() {
        return key;
    }

    public NDArray queue() {
        return queue;
    }

    public NDArray queue2() {
        return queue2;
    }

    public long[] queuePointers() {
        return new long[] {queuePtr, queue2Ptr};
    }

    public void setQueuePointers(long ptr, long ptr2) {
        this.queuePtr = ptr;
        this.queue2Ptr = ptr2;
    }

    public NDManager manager() {
        return manager;
    }

    /** The query branch, L2-normalised: global q [N, dim], dense qGrid [N, dim, S²], backbone qb [N, C, S²]. */
    public record Query(NDArray q, NDArray qGrid, NDArray qb) {}

    /**
     * The key encoder's raw outputs (nothing normalised), one row per key image in the order given: global
     * [N, dim], grid [N, dim, S²], gridPooled [N, dim], c5 [N, C, S, S].
     */
    public record KeyOutputs(NDArray global, NDArray grid, NDArray gridPooled, NDArray c5) {
        /** The same rows reordered or gathered ({@code f} applies to each tensor along the batch axis). */
        public KeyOutputs map(java.util.function.UnaryOperator<NDArray> f) {
            return new KeyOutputs(f.apply(global), f.apply(grid), f.apply(gridPooled), f.apply(c5));
        }

        /** L2-normalised over channels (per position for the grid and backbone features), as the losses use them. */
        public Keys normalised() {
            long n = c5.getShape().get(0);
            long c = c5.getShape().get(1);
            return new Keys(l2(global, 1), l2(grid, 1), l2(gridPooled, 1), l2(c5.reshape(n, c, -1), 1));
        }
    }

    /** Normalised keys in batch order: k [N, dim], kGrid [N, dim, S²], k2 [N, dim], kb [N, C, S²]. */
    public record Keys(NDArray k, NDArray kGrid, NDArray k2, NDArray kb) {}

    /**
     * One DenseCL forward pass on a batch of query and key views ([N,3,H,W] each, on the model's
     * device). Records the autograd graph of the query branch; must run inside a per-step scope.
     * {@code iteration} is the global step (0-based): it keys the lambda warm-up and the key shuffle.
     */
    public Outputs forwardTrain(NDArray imQ, NDArray imK, long iteration) {
        int groups = hyper.bnGroups();
        Query query = queryForward(imQ, groups);
        Keys keys;
        try (GradMode ignored = GradMode.off()) {
            // 4. momentum update of the key encoder BEFORE its forward pass
            momentumUpdate();
            // 5. key branch (train-mode BatchNorm per group, own running statistics). Shuffle BN: the key
            // batch is permuted first, so a key's group holds other images than its query's group (no
            // BatchNorm "signature" shared by positives), and the outputs are put back in batch order.
            long n = imK.getShape().get(0);
            KeyOrder order = groups > 1 ? KeyOrder.of(shuffle.permutation(iteration, (int) n), manager) : null;
            keys = keyForward(order == null ? imK : order.shuffle(imK), groups)
                    .map(x -> unshuffle(order, x))
                    .normalised();
        }
        Outputs out = losses(query, keys, iteration);
        // 10. enqueue the keys (after the logits used clones, so backward still sees the old queue)
        enqueue(keys.k(), keys.k2());
        return out;
    }

    /** Steps 1-3: query encoder (BatchNorm in {@code groups} groups; queries are never permuted), normalised. */
    public Query queryForward(NDArray imQ, int groups) {
        long n = imQ.getShape().get(0);
        Encoder.Output qOut = encoder.forward(query.trainingWeights(), imQ, groups);
        long c = qOut.c5().getShape().get(1);
        // L2-normalise over channels (per position for the grids and backbone features)
        return new Query(
                l2(qOut.neck().global(), 1),
                l2(qOut.neck().grid(), 1),
                l2(qOut.c5().reshape(n, c, -1), 1));
    }

    /** Step 5: the key encoder on key images (train-mode BatchNorm in {@code groups} groups); call with recording off. */
    public KeyOutputs keyForward(NDArray imK, int groups) {
        Encoder.Output kOut = encoder.forward(key.cachedWeights(), imK, groups);
        return new KeyOutputs(
                kOut.neck().global(), kOut.neck().grid(), kOut.neck().gridPooled(), kOut.c5());
    }

    /** Steps 6-9 on queries and their keys (same rows, batch order): both InfoNCE terms and their weighted sum. */
    public Outputs losses(Query query, Keys keys, long iteration) {
        NDArray q = query.q();
        NDArray qGrid = query.qGrid();
        long n = q.getShape().get(0);
        // 6. global InfoNCE: positive q·k, negatives q·queue
        NDArray lPos = q.mul(keys.k()).sum(new int[] {1}, true); // [N, 1]
        NDArray lNeg = q.matMul(queue.duplicate()); // [N, K]
        NDArray lossGlobal = infoNce(lPos, lNeg);

        // 7. correspondence: for each query position, the most similar key position (backbone cosine)
        NDArray sim = query.qb().transpose(0, 2, 1).batchMatMul(keys.kb()); // [N, S², S²]
        NDArray index = sim.argMax(2); // [N, S²]
        NDArray kGrid = keys.kGrid();
        long dim = kGrid.getShape().get(1);
        long s2 = kGrid.getShape().get(2);
        NDArray kGridMatched = kGrid.gather(index.expandDims(1).broadcast(n, dim, s2), 2); // [N, dim, S²]

        // 8. dense InfoNCE over all N·S² positions
        NDArray lPosDense = qGrid.mul(kGridMatched).sum(new int[] {1}).reshape(-1, 1); // [N·S², 1]
        NDArray qGridFlat = qGrid.transpose(0, 2, 1).reshape(-1, dim); // [N·S², dim]
        NDArray lNegDense = qGridFlat.matMul(queue2.duplicate()); // [N·S², K]
        NDArray lossDense = infoNce(lPosDense, lNegDense);

        // 9. weighted sum; lambda is 0 during the optional warm-up
        double lambda = hyper.lambdaAt(iteration);
        NDArray loss = lossGlobal.mul((float) (1 - lambda)).add(lossDense.mul((float) lambda));
        return new Outputs(loss, lossGlobal, lossDense, lambda, q, keys.k(), keys.k2(), qGrid, index);
    }

    /** Step 10: the global keys k and the pooled dense keys k2 [N, dim] into their queues (own pointers). */
    public void enqueue(NDArray k, NDArray k2) {
        try (GradMode ignored = GradMode.off()) {
            queuePtr = enqueue(queue, k, queuePtr);
            queue2Ptr = enqueue(queue2, k2, queue2Ptr);
        }
    }

    /** The key-batch permutation of Shuffle BN (a data-parallel step cuts the permuted global batch into slices). */
    public KeyShuffle keyShuffle() {
        return shuffle;
    }

    private static NDArray unshuffle(KeyOrder order, NDArray x) {
        return order == null ? x : order.unshuffle(x);
    }

    /** Step 4, k = m·k + (1-m)·q over the flat parameter buffers: one fused op regardless of depth; call with recording off. */
    public void momentumUpdate() {
        double m = hyper.momentum();
        NDArray scaledQ = query.params().mul((float) (1 - m));
        key.params().muli((float) m).addi(scaledQ);
        scaledQ.close();
    }

    /** Cross-entropy with label 0 over [pos, neg] / T, averaged over rows. */
    private NDArray infoNce(NDArray pos, NDArray neg) {
        NDArray logits = pos.concat(neg, 1).div((float) hyper.temperature());
        return logits.logSoftmax(1).get(":, 0").neg().mean();
    }

    private long enqueue(NDArray target, NDArray keys, long ptr) {
        long n = keys.getShape().get(0);
        target.set(new NDIndex(":, {}:{}", ptr, ptr + n), keys.transpose().toType(DataType.FLOAT32, false));
        return (ptr + n) % hyper.queueSize();
    }

    /** L2-normalisation over the channel axis 1, as every loss input is normalised. */
    public static NDArray normalise(NDArray x) {
        return l2(x, 1);
    }

    private static NDArray l2(NDArray x, int axis) {
        return x.normalize(2, axis, 1e-12);
    }

    @Override
    public void close() {
        manager.close();
    }
}
