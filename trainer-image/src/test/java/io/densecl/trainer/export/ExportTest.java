package io.densecl.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.densecl.contract.Backbone;
import io.densecl.contract.RunConfig;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.config.ConfigFingerprint;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports read back independently: names, dtypes and shapes must equal torchvision's own
 * {@code resnet18().state_dict()} (listed by torchvision in src/test/resources/torchvision) minus fc.
 */
class ExportTest {
    @TempDir
    Path dir;

    private Path checkpoint() throws IOException {
        RunConfig c = new RunConfig();
        c.model.backbone = Backbone.resnet18;
        c.model.hid = 64;
        c.model.dim = 16;
        c.denseCL.queueSize = 32;
        Encoder enc = new Encoder("resnet18", 64, 16);
        try (NDManager m = NDManager.newBaseManager();
                DenseCLModel model = DenseCLModel.create(
                        enc, new DenseCLModel.Hyper(32, 0.999, 0.2, 0.5, 0), Initializer.official(1), 1, m);
                FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4)) {
            model.setQueuePointers(8, 8);
            TrainerState trainer = new TrainerState(
                    2,
                    0,
                    40,
                    8,
                    8,
                    1,
                    0,
                    ConfigFingerprint.hash(ConfigFingerprint.of(c)),
                    ConfigFingerprint.of(c),
                    c,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
            try (StateCodec.HostState state = StateCodec.encode(model, sgd)) {
                return new CheckpointStore(dir.resolve("run"))
                        .save(
                                new TrainingPosition(2, 0, 40),
                                0,
                                ConfigFingerprint.hash(ConfigFingerprint.of(c)),
                                state.entries(),
                                trainer,
                                Map.of());
            }
        }
    }

    static Map<String, String> torchvision(String arch) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/torchvision/" + arch + "-state-dict.txt"))) {
            if (line.startsWith("#") || line.startsWith("fc.")) continue;
            String[] f = line.split(" ");
            keys.put(f[0], f[1] + " " + f[2]);
        }
        return keys;
    }

    static Map<String, String> described(SafeTensors.File f) {
        Map<String, String> out = new LinkedHashMap<>();
        f.tensors().forEach((k, e) -> {
            List<String> dims = new ArrayList<>();
            for (long s : e.shape()) dims.add(Long.toString(s));
            String dtype = e.dtype().equals("F32") ? "float32" : e.dtype().equals("I64") ? "int64" : e.dtype();
            out.put(k, dtype + " " + (dims.isEmpty() ? "-" : String.join("x", dims)));
        });
        return out;
    }

    @Test
    void torchvisionExportHasExactlyTorchvisionsKeysMinusFc() throws IOException {
        checkpoint();
        Path out = dir.resolve("r18.safetensors");
        assertThat(TrainerCli.execute(
                        "export", "--checkpoint", dir.resolve("run").toString(), "--out", out.toString()))
                .isZero();
        SafeTensors.File f = SafeTensors.read(out);
        assertThat(described(f)).containsExactlyEntriesOf(torchvision("resnet18"));
        assertThat(f.get("layer1.0.bn1.num_batches_tracked").longs()).containsExactly(40);
        assertThat(f.metadata()).containsEntry("densecl.backbone", "resnet18");
    }

    @Test
    void detectron2AndFullStateNames() throws IOException {
        Path ckpt = checkpoint();
        Path d2 = dir.resolve("d2.safetensors");
        assertThat(TrainerCli.execute(
                        "export", "--checkpoint", ckpt.toString(), "--out", d2.toString(), "--format", "detectron2"))
                .isZero();
        SafeTensors.File f = SafeTensors.read(d2);
        assertThat(f.tensors())
                .containsKeys(
                        "stem.conv1.weight",
                        "stem.conv1.norm.running_var",
                        "res2.0.conv1.norm.weight",
                        "res3.0.shortcut.weight",
                        "res3.0.shortcut.norm.bias",
                        "res5.1.conv2.weight");
        assertThat(f.tensors().keySet())
                .noneMatch(k -> k.contains("layer") || k.contains("downsample") || k.contains("bn"));

        Path full = dir.resolve("full.safetensors");
        assertThat(TrainerCli.execute(
                        "export", "--checkpoint", ckpt.toString(), "--out", full.toString(), "--format", "densecl"))
                .isZero();
        SafeTensors.File g = SafeTensors.read(full);
        assertThat(g.tensors())
                .containsKeys(
                        "encoder_q.0.conv1.weight",
                        "encoder_q.1.mlp.0.weight",
                        "encoder_q.1.mlp2.2.bias",
                        "encoder_k.0.layer4.1.bn2.running_mean",
                        "encoder_k.1.mlp2.0.weight",
                        "queue",
                        "queue2",
                        "queue_ptr",
                        "queue2_ptr");
        assertThat(g.get("queue").shape()).containsExactly(16, 32);
        assertThat(g.get("queue_ptr").longs()).containsExactly(8);
    }

    @Test
    void detectron2NamesFollowTheConverter() {
        assertThat(BackboneExporter.detectron2Name("conv1.weight")).isEqualTo("stem.conv1.weight");
        assertThat(BackboneExporter.detectron2Name("bn1.running_mean")).isEqualTo("stem.conv1.norm.running_mean");
        assertThat(BackboneExporter.detectron2Name("layer4.2.bn3.weight")).isEqualTo("res5.2.conv3.norm.weight");
        assertThat(BackboneExporter.detectron2Name("layer2.0.downsample.1.bias"))
                .isEqualTo("res3.0.shortcut.norm.bias");
    }
}
