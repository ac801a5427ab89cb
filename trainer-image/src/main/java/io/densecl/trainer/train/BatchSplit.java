package io.densecl.trainer.train;

import io.densecl.trainer.model.BatchNormGroups;
import io.densecl.trainer.model.KeyShuffle;

/**
 * Host-side index plan of a data-parallel step over R replicas, from the batch size, the BatchNorm group count
 * and one step's key permutation. Replica d's queries are the images of its groups ({@link BatchNormGroups});
 * its keys are the same positions of the permuted batch (the official batch shuffle: the permuted global batch
 * cut into per-device chunks). The replicas' key outputs concatenated in replica order are row j = image
 * {@code keyImage[j]}; {@link Step#own} picks each replica's own images back out of that, {@link Step#all}
 * the whole batch in batch order (for the queues). Pure arithmetic on the host: nothing is read from a device.
 */
final class BatchSplit {
    private final int n;
    private final int replicas;
    private final long[][] rows;

    BatchSplit(int n, int groups, int replicas) {
        this.n = n;
        this.replicas = replicas;
        this.rows = new long[replicas][];
        for (int d = 0; d < replicas; d++) {
            rows[d] = BatchNormGroups.deviceSlice(n, groups, replicas, d);
        }
    }

    /** Batch indices of replica d's queries, in the order the replica holds them. */
    long[] rows(int d) {
        return rows[d];
    }

    /** One step's indices for permutation {@code perm} (key batch = {@code imK[perm]}). */
    Step step(long[] perm) {
        if (perm.length != n) {
            throw new IllegalArgumentException("permutation of " + perm.length + " for a batch of " + n);
        }
        KeyShuffle.inverse(perm); // refuses anything that is not a permutation
        int per = n / replicas;
        long[][] keyRows = new long[replicas][per];
        long[] concatRowOf = new long[n]; // image -> its row in the concatenated key outputs
        for (int d = 0; d < replicas; d++) {
            for (int j = 0; j < per; j++) {
                long image = perm[(int) rows[d][j]];
                keyRows[d][j] = image;
                concatRowOf[(int) image] = (long) d * per + j;
            }
        }
        long[][] own = new long[replicas][per];
        for (int d = 0; d < replicas; d++) {
            for (int j = 0; j < per; j++) {
                own[d][j] = concatRowOf[(int) rows[d][j]];
            }
        }
        return new Step(keyRows, own, concatRowOf);
    }

    /**
     * {@code keyRows[d]}: the images replica d encodes as keys; {@code own[d]}: rows of the concatenated key outputs
     * that are replica d's query images, in its order; {@code all}: the rows in batch order.
     */
    record Step(long[][] keyRows, long[][] own, long[] all) {}
}
