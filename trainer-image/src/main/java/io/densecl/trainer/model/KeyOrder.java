package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * One step's key permutation as device index arrays: {@code shuffle} gathers {@code x[perm]} along the
 * batch axis, {@code unshuffle} gathers {@code x[inv]} and restores batch order. The indices are uploaded,
 * never read back, so the step stays free of host synchronisation.
 */
final class KeyOrder {
    private final NDIndex perm;
    private final NDIndex inverse;

    private KeyOrder(NDIndex perm, NDIndex inverse) {
        this.perm = perm;
        this.inverse = inverse;
    }

    /** Index arrays on the manager's device; they belong to the open step scope. */
    static KeyOrder of(long[] perm, NDManager manager) {
        NDArray p = manager.create(perm);
        NDArray inv = manager.create(KeyShuffle.inverse(perm));
        return new KeyOrder(new NDIndex("{}", p), new NDIndex("{}", inv));
    }

    NDArray shuffle(NDArray x) {
        return x.get(perm);
    }

    NDArray unshuffle(NDArray x) {
        return x.get(inverse);
    }
}
