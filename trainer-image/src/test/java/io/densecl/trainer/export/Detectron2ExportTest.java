package io.densecl.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.densecl.contract.Backbone;
import io.densecl.contract.RunConfig;
import io.densecl.contract.TrainerState;
import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.checkpoint.TrainingPosition;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.config.ConfigFingerprint;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.report.ReaderPython;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code export --format detectron2 --out X.pkl} loads as detectron2 loads it ({@code src/test/python/detectron2_load.py}:
 * DetectionCheckpointer's pickle reading and name-matching rule, against detectron2's ResNet parameter names): every
 * parameter of detectron2's backbone is matched once, with its shape, nothing is left over, and the values are the
 * torchvision export's. Run with numpy 2 (the venv) and, where Debian's python3 has it, numpy 1.
 */
class Detectron2ExportTest {
    @TempDir
    Path dir;

    private Path checkpoint(Backbone arch) throws Exception {
        RunConfig c = new RunConfig();
        c.model.backbone = arch;
        c.model.hid = 64;
        c.model.dim = 16;
        c.denseCL.queueSize = 32;
        Encoder enc = new Encoder(arch.name(), 64, 16);
        try (NDManager m = NDManager.newBaseManager();
                DenseCLModel model = DenseCLModel.create(
                        enc, new DenseCLModel.Hyper(32, 0.999, 0.2, 0.5, 0), Initializer.official(1), 1, m);
                FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4)) {
            TrainerState trainer = new TrainerState(
                    1,
                    0,
                    7,
                    0,
                    0,
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
                return new CheckpointStore(dir.resolve(arch.name()))
                        .save(
                                new TrainingPosition(1, 0, 7),
                                0,
                                ConfigFingerprint.hash(ConfigFingerprint.of(c)),
                                state.entries(),
                                trainer,
                                Map.of());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50"})
    void thePickleLoadsIntoDetectron2sResNetByItsOwnMatchingRule(String arch) throws Exception {
        Path ckpt = checkpoint(Backbone.valueOf(arch));
        Path pkl = dir.resolve(arch + ".pkl");
        Path tv = dir.resolve(arch + ".safetensors");
        assertThat(TrainerCli.execute(
                        "export", "--checkpoint", ckpt.toString(), "--out", pkl.toString(), "--format", "detectron2"))
                .isZero();
        assertThat(TrainerCli.execute("export", "--checkpoint", ckpt.toString(), "--out", tv.toString()))
                .isZero();
        int depth = Integer.parseInt(arch.substring("resnet".length()));
        String debian = "/usr/bin/python3";
        boolean debianNumpy = Files.isExecutable(Path.of(debian))
                && new ProcessBuilder(debian, "-c", "import numpy").start().waitFor() == 0;
        for (String python : debianNumpy ? new String[] {null, debian} : new String[] {null}) {
            String[] args = {pkl.toString(), tv.toString(), Integer.toString(depth)};
            JsonNode r = python == null
                    ? ReaderPython.script("detectron2_load.py", args)
                    : ReaderPython.scriptWith(python, "detectron2_load.py", args);
            String with = "numpy " + r.path("numpy").asText() + ", torch "
                    + r.path("torch").asText("absent");
            assertThat(r.path("zoo_format").asBoolean()).as(with).isTrue();
            assertThat(r.path("matching_heuristics").asBoolean()).as(with).isTrue();
            assertThat(r.path("author").asText()).contains("DenseCL").contains("step 7");
            assertThat(r.path("types").toString()).as(with).isEqualTo("[\"ndarray float32 True\"]");
            assertThat(r.path("errors")).as(with).isEmpty();
            assertThat(r.path("unmatched_model"))
                    .as(with + ": detectron2 parameters without a value")
                    .isEmpty();
            assertThat(r.path("unmatched_checkpoint"))
                    .as(with + ": exported tensors detectron2 would not use")
                    .isEmpty();
            assertThat(r.path("matched").asInt())
                    .isEqualTo(r.path("model_keys").asInt())
                    .isEqualTo(depth == 50 ? 53 * 5 : 20 * 5); // convs (R50 53, R18 20) x (weight + 4 norm tensors)
            assertThat(r.path("max_abs_diff_vs_torchvision").asDouble()).isZero();
            System.out.println("detectron2 .pkl " + arch + " loaded with " + with);
            assertThat(r.path("sample")
                            .path("backbone.bottom_up.stem.conv1.norm.running_var")
                            .asText())
                    .isEqualTo("stem.conv1.norm.running_var");
            assertThat(r.path("sample")
                            .path("backbone.bottom_up.res5.1.conv2.weight")
                            .asText())
                    .isEqualTo("res5.1.conv2.weight");
        }
    }
}
