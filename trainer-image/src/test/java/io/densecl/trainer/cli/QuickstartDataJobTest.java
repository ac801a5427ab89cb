package io.densecl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.densecl.trainer.data.ImageSource;
import io.densecl.trainer.eval.SegmentationData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the containers of crds/examples/quickstart-data-job.yaml (the data seeding of the quick start on a real
 * cluster) through the trainer CLI, with the claim's mount path mapped to a directory, and checks the result is
 * exactly what crds/examples/quickstart.yaml reads: an image folder of JPEGs only, and a VOC segmentation set.
 */
class QuickstartDataJobTest {

    static final Path EXAMPLES = Path.of("..", "crds", "examples");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theJobWritesExactlyTheLayoutTheQuickStartReads(@TempDir Path claim) throws IOException {
        JsonNode job =
                YAML.readTree(EXAMPLES.resolve("quickstart-data-job.yaml").toFile());
        JsonNode pod = job.path("spec").path("template").path("spec");
        String claimName = pod.path("volumes")
                .get(0)
                .path("persistentVolumeClaim")
                .path("claimName")
                .asText();
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        pod.path("containers").forEach(containers::add);
        assertThat(containers).hasSize(2);
        for (JsonNode c : containers) {
            String mount = c.path("volumeMounts").get(0).path("mountPath").asText();
            assertThat(c.path("volumeMounts").get(0).path("name").asText()).isEqualTo("data");
            List<String> args = new ArrayList<>();
            c.path("args")
                    .forEach(a -> args.add(
                            a.asText().startsWith(mount + "/")
                                    ? claim.resolve(a.asText().substring(mount.length() + 1))
                                            .toString()
                                    : a.asText()));
            assertThat(args.get(0)).isEqualTo("synth");
            assertThat(TrainerCli.execute(args.toArray(String[]::new)))
                    .as(String.join(" ", args))
                    .isZero();
            assertThat(c.path("securityContext")
                            .path("allowPrivilegeEscalation")
                            .asBoolean(true))
                    .isFalse();
        }

        JsonNode run = YAML.readTree(EXAMPLES.resolve("quickstart.yaml").toFile());
        JsonNode data = run.path("spec").path("data");
        assertThat(data.path("claimName").asText()).isEqualTo(claimName);
        Path pretrain = claim.resolve(data.path("path").asText());
        // what the pre-training loader reads: every image under the path, recursively
        List<Path> images =
                ImageSource.open(pretrain, data.path("format").asText()).files();
        assertThat(images)
                .hasSize(96)
                .allSatisfy(p -> assertThat(p.getFileName().toString()).endsWith(".jpg"));
        try (Stream<Path> all = Files.walk(pretrain)) {
            assertThat(all.filter(p -> !p.equals(pretrain)).toList())
                    .as("nothing but the JPEGs: no masks, no class views")
                    .hasSize(96)
                    .allSatisfy(p -> assertThat(p.getParent()).isEqualTo(pretrain));
        }
        for (JsonNode e : run.path("spec").path("evaluations")) {
            assertThat(e.path("data").path("claimName").asText()).isEqualTo(claimName);
            Path voc = claim.resolve(e.path("data").path("path").asText());
            assertThat(voc.resolve("SegmentationClass")).isDirectory();
            int classes = Files.readAllLines(voc.resolve("classes.txt")).size(); // background + the 4 shapes
            assertThat(SegmentationData.open(voc, classes).trainIds()).isNotEmpty();
        }
    }

    /** The images layout is the VOC set's JPEGImages/ of the same seed, byte for byte (local mode used those before). */
    @Test
    void theImagesLayoutIsTheVocSetsJpegs(@TempDir Path tmp) throws IOException {
        var synth = new io.densecl.trainer.synth.SynthDataset(8, 32, 4, 1);
        synth.write(tmp.resolve("voc"), io.densecl.trainer.synth.SynthDataset.Layout.voc);
        synth.write(tmp.resolve("images"), io.densecl.trainer.synth.SynthDataset.Layout.images);
        try (Stream<Path> files = Files.list(tmp.resolve("images"))) {
            List<Path> images = files.sorted().toList();
            assertThat(images).hasSize(8);
            for (Path p : images) {
                assertThat(Files.mismatch(p, tmp.resolve("voc/JPEGImages").resolve(p.getFileName())))
                        .isEqualTo(-1L);
            }
        }
    }
}
