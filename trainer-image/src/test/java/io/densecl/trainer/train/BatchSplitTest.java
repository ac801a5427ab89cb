package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.trainer.model.KeyShuffle;
import org.junit.jupiter.api.Test;

/** The host-side index plan of a data-parallel step (8 images, 4 BatchNorm groups, 2 replicas). */
class BatchSplitTest {
    @Test
    void replicasTakeTheirGroupsAndTheSamePositionsOfThePermutedBatch() {
        BatchSplit split = new BatchSplit(8, 4, 2);
        assertThat(split.rows(0)).containsExactly(0, 1, 4, 5); // groups 0 and 1 (image n in group n mod 4)
        assertThat(split.rows(1)).containsExactly(2, 3, 6, 7);
        long[] perm = {5, 2, 7, 0, 3, 6, 1, 4};
        BatchSplit.Step step = split.step(perm);
        assertThat(step.keyRows()[0]).containsExactly(5, 2, 3, 6); // perm at positions 0, 1, 4, 5
        assertThat(step.keyRows()[1]).containsExactly(7, 0, 1, 4);
        // concatenated key outputs: rows 0-3 are replica 0's keys, 4-7 replica 1's; all[i] is image i's row
        long[] concatImage = {5, 2, 3, 6, 7, 0, 1, 4};
        for (int image = 0; image < 8; image++) {
            assertThat(concatImage[(int) step.all()[image]])
                    .as("row of image " + image)
                    .isEqualTo(image);
        }
        for (int d = 0; d < 2; d++) {
            for (int j = 0; j < 4; j++) {
                assertThat(step.own()[d][j]).isEqualTo(step.all()[(int) split.rows(d)[j]]);
            }
        }
    }

    @Test
    void theCounterBasedPermutationSplitsForAnyStep() {
        BatchSplit split = new BatchSplit(256, 8, 4);
        for (long s = 0; s < 20; s++) {
            BatchSplit.Step step = split.step(KeyShuffle.counterBased(3).permutation(s, 256));
            assertThat(KeyShuffle.inverse(step.all())).hasSize(256); // a permutation of the concatenated rows
        }
        assertThatThrownBy(() -> split.step(new long[] {0, 1}))
                .hasMessageContaining("permutation of 2 for a batch of 256");
        assertThatThrownBy(() -> new BatchSplit(8, 3, 2)).hasMessageContaining("cannot split");
    }
}
