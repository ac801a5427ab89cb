package io.densecl.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.FlatState;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.model.ResNet;
import io.densecl.trainer.synth.SynthDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --protocol paper}: the official transfer settings, checked structurally (the full protocol
 * needs a GPU: 20k iterations at 512 px) and run end to end for a few iterations on tiny inputs.
 */
class PaperProtocolTest {
    @TempDir
    static Path dir;

    static Path voc;

    @BeforeAll
    static void data() throws Exception {
        voc = dir.resolve("voc");
        new SynthDataset(24, 64, 3, 11).write(voc);
        // the VOC12aug layout: SBD masks in SegmentationClassAug/ and their ids in aug.txt
        Path aug = Files.createDirectories(voc.resolve("SegmentationClassAug"));
        List<String> train = Files.readAllLines(voc.resolve("ImageSets/Segmentation/train.txt"));
        List<String> augIds = train.subList(0, train.size() / 2);
        for (String id : augIds) Files.copy(voc.resolve("SegmentationClass/" + id + ".png"), aug.resolve(id + ".png"));
        Files.write(voc.resolve("ImageSets/Segmentation/train.txt"), train.subList(train.size() / 2, train.size()));
        Files.write(voc.resolve("ImageSets/Segmentation/aug.txt"), augIds);
    }

    @Test
    void paperSettingsAreTheOfficialOnes() {
        SegmentationPaper.Options s = SegmentationPaper.Options.paper(0);
        assertThat(List.of(s.iterations(), (long) s.batchSize(), (long) s.crop(), (long) s.longScale(), (long)
                        s.shortScale()))
                .containsExactly(20_000L, 16L, 512L, 2048L, 512L);
        assertThat(List.of(s.lr(), s.minLr(), s.weightDecay(), s.auxWeight(), s.dropout()))
                .containsExactly(0.01, 1e-4, 5e-4, 0.4, 0.1);
        assertThat(List.of(s.headChannels(), s.auxChannels())).containsExactly(512, 256);
        PaperLinearProbe.Options l = PaperLinearProbe.Options.paper(0);
        assertThat(List.of(l.epochs(), l.batchSize(), l.crop(), l.resize())).containsExactly(100, 256, 224, 256);
        assertThat(l.lr()).isEqualTo(30.0);
        assertThat(l.milestones()).containsExactly(60, 80);
        assertThat(SegmentationCrops.keepRatio(500, 375, 2048, 512))
                .containsExactly(683, 512); // a VOC image at test scale
    }

    @Test
    void fcnHeadOnDilatedC5AndAuxiliaryHeadOnC4() {
        ResNet r = ResNet.of("resnet50");
        ParameterLayout l = SegmentationPaper.layout(r, 21, SegmentationPaper.Options.paper(0));
        assertThat(l.shape("head.conv1.weight").getShape()).containsExactly(512, 2048, 3, 3);
        assertThat(l.shape("head.cat.weight").getShape()).containsExactly(512, 2048 + 512, 3, 3);
        assertThat(l.shape("head.cls.weight").getShape()).containsExactly(21, 512, 1, 1);
        assertThat(l.shape("aux.conv1.weight").getShape()).containsExactly(256, 1024, 3, 3);
        assertThat(l.shape("aux.cls.weight").getShape()).containsExactly(21, 256, 1, 1);
        ResNet r18 = ResNet.of("resnet18");
        ParameterLayout l18 = SegmentationPaper.layout(
                r18, 5, new SegmentationPaper.Options(1, 1, 64, 0.01, 1e-4, 5e-4, 32, 16, 0.4, 0.1, 0));
        try (NDManager m = NDManager.newBaseManager()) {
            FlatState st = new FlatState(
                    l18, m.create(Initializer.official(0).parameters(l18)), m.create(Initializer.buffers(l18)));
            NDArray x = m.randomNormal(new Shape(1, 3, 64, 64));
            NDArray[] stages = r18.stages(st.cachedWeights(), Encoder.BACKBONE, x, false, 8, 1);
            assertThat(stages[2].getShape().getShape())
                    .as("C4 at output stride 8")
                    .containsExactly(1, 256, 8, 8);
            assertThat(stages[3].getShape().getShape())
                    .as("C5 dilated, output stride 8")
                    .containsExactly(1, 512, 8, 8);
            NDArray[] out = SegmentationPaper.forward(
                    st.cachedWeights(),
                    r18,
                    x,
                    false,
                    new SegmentationPaper.Options(1, 1, 64, 0.01, 1e-4, 5e-4, 32, 16, 0.4, 0.1, 0),
                    64,
                    64);
            assertThat(out[0].getShape().getShape()).containsExactly(1, 5, 64, 64);
            assertThat(out[1].getShape().getShape()).containsExactly(1, 5, 64, 64);
        }
    }

    @Test
    void aFewIterationsOfEachPaperProtocolRunEndToEnd() throws Exception {
        JsonNode seg = evaluate(
                "seg",
                "--task",
                "segmentation",
                "--data",
                voc.toString(),
                "--iterations",
                "2",
                "--batch-size",
                "2",
                "--image-size",
                "64",
                "--head-channels",
                "32");
        assertThat(seg.get("protocol").asText()).isEqualTo("paper");
        assertThat(seg.get("outputStride").asInt()).isEqualTo(8);
        assertThat(seg.get("iterations").asLong()).isEqualTo(2);
        assertThat(seg.at("/metrics/mIoU").asDouble()).isBetween(0.0, 1.0);
        assertThat(Double.isFinite(seg.get("finalTrainLoss").asDouble())).isTrue();
        JsonNode lin = evaluate(
                "lin",
                "--task",
                "linear",
                "--data",
                voc.toString(),
                "--epochs",
                "2",
                "--batch-size",
                "4",
                "--image-size",
                "64");
        assertThat(lin.get("protocol").asText()).isEqualTo("paper");
        assertThat(lin.at("/metrics/top1").asDouble()).isBetween(0.0, 1.0);
        JsonNode knn = evaluate("knn", "--task", "knn", "--data", voc.toString(), "--image-size", "64");
        assertThat(knn.get("imageSize").asInt()).isEqualTo(64);
        assertThat(knn.at("/metrics/top1").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void thePaperSegmentationProtocolNeedsTheVoc12augLayout() throws Exception {
        Path plain = dir.resolve("plain");
        new SynthDataset(6, 48, 2, 3).write(plain);
        Path term = dir.resolve("plain.term");
        int rc = TrainerCli.execute(
                "evaluate",
                "--task",
                "segmentation",
                "--protocol",
                "paper",
                "--data",
                plain.toString(),
                "--init",
                "random",
                "--backbone",
                "resnet18",
                "--iterations",
                "1",
                "--progress-port",
                "-1",
                "--termination-log",
                term.toString());
        assertThat(rc).isEqualTo(78);
        assertThat(Files.readString(term)).contains("--data").contains("VOC12aug");
    }

    private static JsonNode evaluate(String name, String... args) throws Exception {
        Path out = dir.resolve(name + ".json");
        String[] common = {
            "evaluate",
            "--protocol",
            "paper",
            "--init",
            "random",
            "--backbone",
            "resnet18",
            "--threads",
            "2",
            "--progress-port",
            "-1",
            "--termination-log",
            dir.resolve(name + ".term").toString(),
            "--out",
            out.toString()
        };
        int rc = TrainerCli.execute(
                Stream.concat(Stream.of(common), Stream.of(args)).toArray(String[]::new));
        assertThat(rc).as(name).isZero();
        return new ObjectMapper().readTree(out.toFile());
    }
}
