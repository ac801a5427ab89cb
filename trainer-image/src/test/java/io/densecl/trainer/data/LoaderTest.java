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
    @TempDir
    Path dir;

    @Test
    void missingFolderIsAConfigErrorNamingTheField() {
        assertThatThrownBy(() -> ImageSource.open(dir.resolve("nope"), "imageFolder"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("data.path");
    }

    @Test
    void emptyFolderIsADataError() throws IOException {
        Files.createDirectories(dir.resolve("empty/sub"));
        Files.writeString(dir.resolve("empty/readme.txt"), "no images");
        assertThatThrownBy(() -> ImageSource.open(dir.resolve("empty"), "imageFolder"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("no images");
    }

    @Test
    void listFileResolvesRelativePaths() throws IOException {
        new SynthDataset(4, 32, 2, 0).write(dir.resolve("s"));
        Files.writeString(
                dir.resolve("s/list.txt"), "# images\nJPEGImages/synth_000001.jpg 3\n\nJPEGImages/synth_000002.jpg\n");
        ImageSource src = ImageSource.open(dir.resolve("s/list.txt"), "list");
        assertThat(src.files())
                .containsExactly(
                        dir.resolve("s/JPEGImages/synth_000001.jpg"), dir.resolve("s/JPEGImages/synth_000002.jpg"));
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
            assertThat(l.skipped())
                    .extracting(p -> p.getFileName().toString())
                    .containsExactlyInAnyOrder("zz_text.jpg", "zz_truncated.jpg", "zz_empty.png");
        }
    }

    @Test
    void fewerImagesThanABatchIsADataError() throws IOException {
        new SynthDataset(3, 32, 2, 0).write(dir.resolve("s"));
        ImageSource src = ImageSource.open(dir.resolve("s/JPEGImages"), "imageFolder");
        assertThatThrownBy(() -> new TwoViewLoader(src, new MocoV2Augment(32), 8, 0, 1))
                .isInstanceOf(DataException.class);
    }

    /** Issue 18: 40 of 48 listed files missing trained "Complete" on 8 images. */
    @Test
    void tooManyUnreadableFilesFailTheRunNamingTheCount() throws IOException {
        new SynthDataset(8, 40, 2, 3).write(dir.resolve("s"));
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < 8; i++) list.append(String.format("JPEGImages/synth_%06d.jpg%n", i));
        for (int i = 0; i < 40; i++)
            list.append("JPEGImages/missing_").append(i).append(".jpg\n");
        Files.writeString(dir.resolve("s/list.txt"), list);
        ImageSource src = ImageSource.open(dir.resolve("s/list.txt"), "list");
        assertThat(src.size()).isEqualTo(48);
        try (TwoViewLoader l =
                new TwoViewLoader(src, new MocoV2Augment(32), 4, 0, 1, new TwoViewLoader.Limits(89_478_485L, 0.1))) {
            l.seek(0, 0);
            assertThatThrownBy(() -> {
                        for (int i = 0; i < l.stepsPerEpoch(); i++) l.next();
                    })
                    .isInstanceOfSatisfying(
                            DataException.class, e -> assertThat(e.path()).isNotNull())
                    .hasMessageMatching(
                            "(?s)[5-9] of 48 files are unreadable .*more than data.maxUnreadableFraction 0.1 allows.*missing_.*");
        }
        // within the fraction, the run goes on and counts them
        try (TwoViewLoader l =
                new TwoViewLoader(src, new MocoV2Augment(32), 4, 0, 1, new TwoViewLoader.Limits(89_478_485L, 0.9))) {
            l.seek(0, 0);
            for (int i = 0; i < l.stepsPerEpoch(); i++) l.next();
            assertThat(l.skipped()).hasSize(40);
        }
    }

    /** Issue 18: a symbolic-link loop was exit 74 (a device fault); it is a data error naming the link. */
    @Test
    void aSymlinkLoopIsADataErrorNamingTheLink() throws IOException {
        new SynthDataset(4, 32, 2, 0).write(dir.resolve("s"));
        Path loop = Files.createSymbolicLink(dir.resolve("s/JPEGImages/again"), dir.resolve("s/JPEGImages"));
        assertThatThrownBy(() -> ImageSource.open(dir.resolve("s/JPEGImages"), "imageFolder"))
                .isInstanceOfSatisfying(
                        DataException.class, e -> assertThat(e.path()).isEqualTo(loop))
                .hasMessageContaining("symbolic link loop")
                .hasMessageContaining(loop.toString());
        // a link to a sibling folder is followed, not a loop
        Files.delete(loop);
        new SynthDataset(2, 32, 2, 5).write(dir.resolve("t"));
        Files.createSymbolicLink(dir.resolve("s/JPEGImages/more"), dir.resolve("t/JPEGImages"));
        assertThat(ImageSource.open(dir.resolve("s/JPEGImages"), "imageFolder").size())
                .isEqualTo(6);
    }

    /** Issue 18: a list file that is not UTF-8 was exit 74 (MalformedInputException); it is a data error naming the line. */
    @Test
    void aListFileThatIsNotUtf8IsADataErrorNamingTheLine() throws IOException {
        Path list = dir.resolve("list.txt");
        Files.write(list, new byte[] {
            'a', '.', 'j', 'p', 'g', '\n', '#', ' ', 'o', 'k', '\n', (byte) 0xff, (byte) 0xfe, '.', 'j', 'p', 'g', '\n'
        });
        assertThatThrownBy(() -> ImageSource.open(list, "list"))
                .isInstanceOfSatisfying(
                        DataException.class, e -> assertThat(e.path()).isEqualTo(list))
                .hasMessageContaining("line 3 is not valid UTF-8");
        Files.writeString(list, "caf\u00e9.jpg\r\nb.jpg 7\n", java.nio.charset.StandardCharsets.UTF_8);
        assertThat(ImageSource.open(list, "list").files())
                .extracting(p -> p.getFileName().toString())
                .containsExactly("caf\u00e9.jpg", "b.jpg");
    }
}
