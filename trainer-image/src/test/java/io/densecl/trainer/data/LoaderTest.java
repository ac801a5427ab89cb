package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.contract.ConfigException;
import io.densecl.trainer.synth.SynthDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sources and the two-view loader: errors, determinism (the basis of exact resume), corrupt files. */
class LoaderTest {
    @TempDir Path dir;

    @Test
    void missingFolderIsAConfigErrorNamingTheField() {
        assertThatThrownBy(() -> ImageSource.open(dir.resolve("nope"), "imageFolder"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("data.path");
    }

    @Test
    void emptyFolderIsADataError() throws IOException {
        Files.createDirectories(dir.resolve("empty/sub"));
        Files.writeString(dir.resolve("empty/readme.txt"), "no images");
        assertThatThrownBy(() -> ImageSource.open(dir.resolve("empty"), "imageFolder"))
                .isInstanceOf(DataException.class).hasMessageContaining("no images");
    }

    @Test
    void listFileResolvesRelativePaths() throws IOException {
        new SynthDataset(4, 32, 2, 0).write(dir.resolve("s"));
        Files.writeString(dir.resolve("s/list.txt"), "# images\nJPEGImages/synth_000001.jpg 3\n\nJPEGImages/synth_000002.jpg\n");
        ImageSource src = ImageSource.open(dir.resolve("s/list.txt"), "list");
        assertThat(src.files()).containsExactly(dir.resolve("s/JPEGImages/synth_000001.jpg"), dir.resolve("s/JPEGImages/synth_000002.jpg"));
    }

    @Test
    void permutationIsAPermutationAndDependsOnEpoch() {
        int[] p0 = TwoViewLoader.permutation(100, 5, 0);
        int[] sorted = p0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) assertThat(sorted[i]).isEqualTo(i);
        assertThat(TwoViewLoader.permutation(100, 5, 0)).containsExactly(p0);
        assertThat(TwoViewLoader.permutation(100, 5, 1)).isNotEqualTo(p0);
    }

    @Test
    void aBatchDependsOnlyOnEpochAndStep() throws IOException {
        new SynthDataset(24, 40, 3, 1).write(dir.resolve("s"));
        ImageSource src = ImageSource.open(dir.resolve("s/JPEGImages"), "imageFolder");
        HostBatch direct;
        try (TwoViewLoader a = new TwoViewLoader(src, new MocoV2Augment(32), 4, 11, 2)) {
            a.seek(1, 0);
            a.next();
            a.next();
            direct = a.next(); // epoch 1, step 2
        }
        try (TwoViewLoader b = new TwoViewLoader(src, new MocoV2Augment(32), 4, 11, 1)) {
            b.seek(1, 2); // a resumed process jumps straight there
            HostBatch resumed = b.next();
            assertThat(resumed.step()).isEqualTo(2);
            assertThat(Arrays.mismatch(resumed.viewQ(), direct.viewQ())).isEqualTo(-1);
            assertThat(Arrays.mismatch(resumed.viewK(), direct.viewK())).isEqualTo(-1);
        }
    }

    @Test
    void corruptFilesAreSkippedAndCounted() throws IOException {
        new SynthDataset(12, 40, 3, 2).write(dir.resolve("s"));
        Path images = dir.resolve("s/JPEGImages");
        Files.writeString(images.resolve("zz_text.jpg"), "not a jpeg");
        byte[] good = Files.readAllBytes(images.resolve("synth_000000.jpg"));
        Files.write(images.resolve("zz_truncated.jpg"), Arrays.copyOf(good, good.length / 3));
        Files.write(images.resolve("zz_empty.png"), new byte[0]);
        ImageSource src = ImageSource.open(images, "imageFolder");
        assertThat(src.size()).isEqualTo(15);
        try (TwoViewLoader l = new TwoViewLoader(src, new MocoV2Augment(32), 5, 0, 2)) {
            l.seek(0, 0);
            for (int i = 0; i < l.stepsPerEpoch(); i++) {
                HostBatch b = l.next();
                assertThat(b.n()).isEqualTo(5);
            }
            assertThat(l.skipped()).extracting(p -> p.getFileName().toString())
                    .containsExactlyInAnyOrder("zz_text.jpg", "zz_truncated.jpg", "zz_empty.png");
        }
    }

    @Test
    void fewerImagesThanABatchIsADataError() throws IOException {
        new SynthDataset(3, 32, 2, 0).write(dir.resolve("s"));
        ImageSource src = ImageSource.open(dir.resolve("s/JPEGImages"), "imageFolder");
        assertThatThrownBy(() -> new TwoViewLoader(src, new MocoV2Augment(32), 8, 0, 1)).isInstanceOf(DataException.class);
    }
}
