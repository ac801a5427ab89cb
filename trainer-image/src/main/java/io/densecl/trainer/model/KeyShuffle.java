package io.densecl.trainer.model;

import io.densecl.trainer.util.SplitMix64;

/**
 * The key-batch permutation of Shuffle BN: which image of the global batch goes to which position
 * before the key forward. A pure function of (step, batch size), so a resumed run draws the same
 * permutations, and a data-parallel step can cut the permuted global batch into per-device slices.
 */
@FunctionalInterface
public interface KeyShuffle {
    /** Stream tag that separates these draws from every other use of the run's seed. */
    long TAG = 0x5AFF1EL;

    /** {@code perm} for the step: the key batch is {@code imK[perm]}; a permutation of 0..n-1. */
    long[] permutation(long step, int n);

    /** Fisher-Yates over SplitMix64 keyed by (seed, TAG, step): counter-based, resume-exact. */
    static KeyShuffle counterBased(long seed) {
        return (step, n) -> toLongs(SplitMix64.of(seed, TAG, step).permutation(n));
    }

    /** {@code inv} with {@code inv[perm[i]] = i}: indexing the permuted outputs by it restores batch order. */
    static long[] inverse(long[] perm) {
        long[] inv = new long[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = (int) perm[i];
            if (p < 0 || p >= perm.length || seen[p]) {
                throw new IllegalArgumentException(
                        "not a permutation of 0.." + (perm.length - 1) + ": " + java.util.Arrays.toString(perm));
            }
            seen[p] = true;
            inv[p] = i;
        }
        return inv;
    }

    static long[] toLongs(int[] p) {
        long[] out = new long[p.length];
        for (int i = 0; i < p.length; i++) out[i] = p[i];
        return out;
    }
}
