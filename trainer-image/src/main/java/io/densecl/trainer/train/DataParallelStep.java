package io.densecl.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.DeviceCopy;
import io.densecl.trainer.model.GradMode;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * One optimiser step of data-parallel DenseCL: R replicas (one per device, a thread each) compute what the
 * single-device step computes with the same BatchNorm groups and key permutation. Per step every replica
 * uploads its share of the batch (its groups' queries, and its positions of the permuted key batch), runs the
 * query forward and the key forward; the key outputs are gathered onto every replica and put back in batch
 * order (the official {@code concat_all_gather} and batch unshuffle); each replica computes the losses of its
 * queries and backward; the flat gradients are averaged (reduce-scatter then all-gather in R chunks: 2R(R-1)
 * device-to-device copies of P/R values, nothing per parameter), and so are the BatchNorm running statistics
 * (the mean over groups, as one device stores them); every replica applies the same SGD update and enqueues
 * the whole batch of keys, so all replicas stay bitwise equal and replica 0 is the run's one state. Nothing is
 * read back to the host inside the step but the losses, in one transfer at its end.
 */
public final class DataParallelStep implements AutoCloseable {
    private final List<TrainingSession.Replica> replicas;
    private final int r;
    private final int groupsPerReplica;
    private final BatchSplit split;
    private final Shape imageShape;
    private final int imageValues;
    private final long[] chunkStart;
    private final ExecutorService threads;
    private final CyclicBarrier barrier;
    // exchange slots: replica d writes slot d before a barrier, every replica reads them after it
    private final DenseCLModel.KeyOutputs[] keys;
    private final NDArray[] grads;
    private final NDArray[] gradChunks;
    private final NDArray[] lossRows;
    private final NDArray[] statistics = new NDArray[2];
    private float[] losses;

    /** A step over the session's replicas for batches of {@code n} images of {@code size} pixels. */
    public DataParallelStep(TrainingSession session, int n, int size) {
        this.replicas = session.replicas();
        this.r = replicas.size();
        if (r < 2) {
            throw new IllegalArgumentException("a data-parallel step needs at least two replicas, got " + r);
        }
        int groups = session.model().hyper().bnGroups() * r;
        this.groupsPerReplica = groups / r;
        this.split = new BatchSplit(n, groups, r);
        this.imageShape = new Shape(n / r, 3, size, size);
        this.imageValues = 3 * size * size;
        long p = session.model().query().params().size();
        this.chunkStart = new long[r + 1];
        for (int c = 0; c <= r; c++) {
            chunkStart[c] = p * c / r;
        }
        this.keys = new DenseCLModel.KeyOutputs[r];
        this.grads = new NDArray[r];
        this.gradChunks = new NDArray[r];
        this.lossRows = new NDArray[r];
        this.barrier = new CyclicBarrier(r);
        this.threads = Executors.newFixedThreadPool(r, task -> {
            Thread t = new Thread(task, "replica");
            t.setDaemon(true);
            return t;
        });
    }

    /** One step on host views [N, 3, size, size] (planar float); losses are the means over the whole batch. */
    public TrainStep.Result run(float[] viewQ, float[] viewK, double lr, long iteration) {
        DenseCLModel first = replicas.get(0).model();
        BatchSplit.Step plan = split.step(first.keyShuffle().permutation(iteration, split.rows(0).length * r));
        List<Future<?>> done = new ArrayList<>();
        for (int d = 0; d < r; d++) {
            int replica = d;
            done.add(threads.submit(() -> {
                try {
                    replicaStep(replica, viewQ, viewK, plan, lr, iteration);
                } catch (Throwable t) {
                    barrier.reset(); // the others stop waiting (BrokenBarrierException) instead of hanging
                    throw t;
                }
                return null;
            }));
        }
        rethrowFirstCause(done);
        float sum = 0;
        float sumGlobal = 0;
        float sumDense = 0;
        for (int d = 0; d < r; d++) {
            sum += losses[3 * d];
            sumGlobal += losses[3 * d + 1];
            sumDense += losses[3 * d + 2];
        }
        // equal shares of the batch: the batch mean is the mean of the replicas' means
        return new TrainStep.Result(
                sum / r, sumGlobal / r, sumDense / r, first.hyper().lambdaAt(iteration));
    }

    private void replicaStep(int d, float[] viewQ, float[] viewK, BatchSplit.Step plan, double lr, long iteration)
            throws Exception {
        TrainingSession.Replica me = replicas.get(d);
        DenseCLModel model = me.model();
        NDManager m = me.manager();
        PtNDArray params = (PtNDArray) model.query().params();
        try (NDScope ignored = new NDScope()) {
            JniUtils.setGradMode(false); // a pool thread starts with libtorch's default (recording)
            NDArray imQ = upload(m, viewQ, split.rows(d));
            NDArray imK = upload(m, viewK, plan.keyRows()[d]);
            DenseCLModel.Query query;
            try (GradMode g = GradMode.on()) {
                query = model.queryForward(imQ, groupsPerReplica);
            }
            model.momentumUpdate();
            keys[d] = model.keyForward(imK, groupsPerReplica);
            barrier.await();

            // every replica's keys here, in replica order; own rows for the losses, all rows for the queues
            DenseCLModel.KeyOutputs gathered = gather(m);
            NDIndex own = new NDIndex("{}", m.create(plan.own()[d]));
            NDIndex all = new NDIndex("{}", m.create(plan.all()));
            DenseCLModel.Keys mine = gathered.map(x -> x.get(own)).normalised();
            DenseCLModel.Outputs out;
            try (GradMode g = GradMode.on()) {
                out = model.losses(query, mine, iteration);
                JniUtils.backward((PtNDArray) out.loss(), (PtNDArray) out.loss().onesLike(), false, false);
                // the whole batch of keys, in batch order (enqueue switches recording off and back on, as in
                // forwardTrain)
                model.enqueue(
                        DenseCLModel.normalise(gathered.global().get(all)),
                        DenseCLModel.normalise(gathered.gridPooled().get(all)));
            } // recording off from here on
            grads[d] = params.getGradient();
            lossRows[d] = NDArrays.stack(new NDList(out.loss(), out.lossGlobal(), out.lossDense()));
            barrier.await();

            // reduce-scatter: replica d owns chunk d of the flat gradient (and one of the two statistics buffers)
            gradChunks[d] = mean(m, e -> grads[e].get(new NDIndex().addSliceDim(chunkStart[d], chunkStart[d + 1])));
            if (d < 2) {
                statistics[d] = mean(
                        m,
                        e -> d == 0
                                ? replicas.get(e).model().query().buffers()
                                : replicas.get(e).model().key().buffers());
            }
            barrier.await();

            // all-gather: every replica assembles the mean gradient and applies the same update
            NDList parts = new NDList();
            for (int c = 0; c < r; c++) {
                parts.add(DeviceCopy.to(gradChunks[c], m));
            }
            me.sgd().step(params, NDArrays.concat(parts, 0), lr);
            JniUtils.zeroGrad(params);
            DeviceCopy.into(statistics[0], model.query().buffers());
            DeviceCopy.into(statistics[1], model.key().buffers());
            if (d == 0) {
                NDList rows = new NDList();
                for (int e = 0; e < r; e++) {
                    rows.add(DeviceCopy.to(lossRows[e], m));
                }
                losses = NDArrays.stack(rows).toFloatArray(); // the step's only device-to-host read
            }
            barrier.await(); // every slot stays alive until every replica has read what it needs
        }
    }

    /** The mean over replicas of one tensor each, summed on this replica's device in replica order. */
    private NDArray mean(NDManager m, Function<Integer, NDArray> of) {
        NDArray sum = DeviceCopy.to(of.apply(0), m).add(DeviceCopy.to(of.apply(1), m));
        for (int e = 2; e < r; e++) {
            sum.addi(DeviceCopy.to(of.apply(e), m));
        }
        return sum.divi(r);
    }

    private DenseCLModel.KeyOutputs gather(NDManager m) {
        return new DenseCLModel.KeyOutputs(
                concat(m, DenseCLModel.KeyOutputs::global),
                concat(m, DenseCLModel.KeyOutputs::grid),
                concat(m, DenseCLModel.KeyOutputs::gridPooled),
                concat(m, DenseCLModel.KeyOutputs::c5));
    }

    private NDArray concat(NDManager m, Function<DenseCLModel.KeyOutputs, NDArray> field) {
        NDList parts = new NDList();
        for (int e = 0; e < r; e++) {
            parts.add(DeviceCopy.to(field.apply(keys[e]), m));
        }
        return NDArrays.concat(parts, 0);
    }

    /** The rows {@code rows} of a host view, uploaded to the replica's device as [N/R, 3, size, size]. */
    private NDArray upload(NDManager m, float[] view, long[] rows) {
        float[] host = new float[rows.length * imageValues];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(view, (int) rows[j] * imageValues, host, j * imageValues, imageValues);
        }
        return m.create(FloatBuffer.wrap(host), imageShape);
    }

    /** The first failure that is not another replica's broken barrier, unwrapped. */
    private static void rethrowFirstCause(List<Future<?>> done) {
        Throwable first = null;
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a data-parallel step", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (first == null || first instanceof BrokenBarrierException) {
                    first = cause;
                }
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException("data-parallel step failed: " + first, first);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
