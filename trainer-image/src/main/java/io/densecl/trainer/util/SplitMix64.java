package io.densecl.trainer.util;

/**
 * SplitMix64, the counter-based generator behind every random decision of the trainer.
 *
 * <p>Counter-based means a stream is fully determined by its key: {@code of(seed, epoch, index)}
 * gives the same numbers after a resume as in the uninterrupted run, with no state to save.
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A stream keyed by several integers (seed, epoch, sample index, view, ...). */
    public static SplitMix64 of(long... keys) {
        long s = 0x5DEECE66DL;
        for (long k : keys) {
            s = mix(s ^ mix(k + GOLDEN_GAMMA));
        }
        return new SplitMix64(s);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform float in [0, 1) with 24 random bits, as the golden init rule defines it. */
    public float nextFloat24() {
        return (float) (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    public boolean bernoulli(double p) {
        return nextDouble() < p;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Uniform int in [0, bound). */
    public int nextInt(int bound) {
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }
}
