package io.densecl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Split BatchNorm semantics: group g normalises samples n with n mod G == g on its own statistics, the
 * stored running statistics are the mean of the groups' updates, and device slices with G/D groups each
 * reproduce the single-device result (the property the multi-GPU step relies on).
 */
class SplitBatchNormTest {
    private static final int N = 8;
    private static final int C = 3;

    @Test
    void eachGroupIsNormalisedOnItsOwnStatisticsAndRunningStatsAreTheGroupMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(0, 2, new Shape(N, C, 4, 4), ai.djl.ndarray.types.DataType.FLOAT32)
                    .add(1f);
            Map<String, NDArray> w = weights(m);
            NDArray y = Layers.batchNorm(w::get, "bn", x, true, 2);
            for (int g = 0; g < 2; g++) {
                NDArray idx = m.create(new long[] {g, g + 2, g + 4, g + 6});
                NDArray xg = x.get(new NDIndex("{}", idx));
                NDArray mean = channelMean(xg).reshape(1, C, 1, 1);
                NDArray var = channelMean(xg.sub(mean).square()).reshape(1, C, 1, 1);
                NDArray want = xg.sub(mean)
                        .div(var.add(1e-5f).sqrt())
                        .mul(w.get("bn.weight").reshape(1, C, 1, 1))
                        .add(w.get("bn.bias").reshape(1, C, 1, 1));
                assertThat(maxDiff(y.get(new NDIndex("{}", idx)), want))
                        .as("group " + g)
                        .isLessThan(1e-5f);
            }
            // running statistics: 0.9 * old + 0.1 * (mean over groups of the group means / unbiased variances)
            float[] rm = w.get("bn.running_mean").toFloatArray();
            NDArray g0 = x.get(new NDIndex("{}", m.create(new long[] {0, 2, 4, 6})));
            NDArray g1 = x.get(new NDIndex("{}", m.create(new long[] {1, 3, 5, 7})));
            float[] mean = channelMean(g0).add(channelMean(g1)).div(2f).toFloatArray();
            for (int c = 0; c < C; c++)
                assertThat(rm[c]).isCloseTo(0.1f * mean[c], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void deviceSlicesWithTheirShareOfGroupsReproduceOneDevice() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(N, C, 3, 3));
            Map<String, NDArray> one = weights(m);
            NDArray y = Layers.batchNorm(one::get, "bn", x, true, 4);
            float[] meanSum = new float[C];
            for (int d = 0; d < 2; d++) {
                long[] slice = BatchNormGroups.deviceSlice(N, 4, 2, d);
                Map<String, NDArray> replica = weights(m);
                NDArray yd = Layers.batchNorm(replica::get, "bn", x.get(new NDIndex("{}", m.create(slice))), true, 2);
                assertThat(maxDiff(yd, y.get(new NDIndex("{}", m.create(slice)))))
                        .as("device " + d)
                        .isLessThan(1e-6f);
                float[] rm = replica.get("bn.running_mean").toFloatArray();
                for (int c = 0; c < C; c++) meanSum[c] += rm[c] / 2;
            }
            float[] want = one.get("bn.running_mean").toFloatArray();
            for (int c = 0; c < C; c++)
                assertThat(meanSum[c])
                        .as("replicas' mean = one device's")
                        .isCloseTo(want[c], org.assertj.core.data.Offset.offset(1e-6f));
        }
        assertThat(BatchNormGroups.deviceSlice(8, 4, 2, 1)).containsExactly(2, 3, 6, 7);
    }

    private static Map<String, NDArray> weights(NDManager m) {
        Map<String, NDArray> w = new HashMap<>();
        w.put("bn.weight", m.create(new float[] {1.5f, 0.5f, 1f}));
        w.put("bn.bias", m.create(new float[] {0.1f, -0.2f, 0f}));
        w.put("bn.running_mean", m.zeros(new Shape(C)));
        w.put("bn.running_var", m.ones(new Shape(C)));
        return w;
    }

    /** Per-channel mean over batch and space (DJL's mean takes one axis). */
    private static NDArray channelMean(NDArray x) {
        return x.transpose(1, 0, 2, 3).reshape(C, -1).mean(new int[] {1});
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
