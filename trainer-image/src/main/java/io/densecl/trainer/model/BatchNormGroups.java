package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * How a global batch of N images in G BatchNorm groups (sample n in group n mod G) splits over D
 * devices without changing the mathematics: device d takes groups d*G/D .. (d+1)*G/D - 1, i.e. the
 * samples n with (n mod G) / (G/D) == d, in increasing n. Within that slice, local sample i is in local
 * group i mod (G/D), which is global group d*G/D + i mod (G/D), so a replica running
 * {@link Layers#batchNorm(Weights, String, NDArray, boolean, int)} with G/D groups on its slice computes
 * exactly what the single device computes for those groups (what the data-parallel step relies on).
 */
public final class BatchNormGroups {
    private BatchNormGroups() {}

    /** Batch indices of device {@code d}'s slice, in the order the device holds them. */
    public static long[] deviceSlice(int n, int groups, int devices, int d) {
        if (groups % devices != 0 || n % groups != 0 || d < 0 || d >= devices) {
            throw new IllegalArgumentException("cannot split " + n + " images in " + groups + " groups over " + devices
                    + " devices (device " + d + ")");
        }
        int perDevice = groups / devices;
        long[] out = new long[n / devices];
        int k = 0;
        for (int a = 0; a < n / groups; a++) {
            for (int j = 0; j < perDevice; j++) out[k++] = (long) a * groups + (long) d * perDevice + j;
        }
        return out;
    }
}
