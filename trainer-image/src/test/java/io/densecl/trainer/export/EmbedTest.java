package io.densecl.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.densecl.trainer.synth.SynthDataset;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code embed} against torchvision itself: the exported torchvision weights load into
 * {@code torchvision.models.resnet18()} with only {@code fc.*} missing, and torchvision's pooled C5
 * features (eval mode) of the same images, preprocessed by torchvision's own transforms, equal
 * {@code embed}'s. Needs Python with torch + torchvision (Debian python3-torch, python3-torchvision);
 * with {@code DENSECL_REQUIRE_TORCHVISION=1} (set by CI) a missing Python fails the test instead of skipping it.
 */
class EmbedTest {
    @TempDir
    Path dir;

    @Test
    void embedMatchesTorchvisionOnExportedWeights() throws Exception {
        String python = System.getenv()
                .getOrDefault(
                        "DENSECL_PYTHON",
                        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
        boolean available = pythonHasTorchvision(python);
        if ("1".equals(System.getenv("DENSECL_REQUIRE_TORCHVISION"))) {
            assertThat(available)
                    .as(python + " with torch and torchvision (apt-get install python3-torch python3-torchvision)")
                    .isTrue();
        }
        Assumptions.assumeTrue(
                available,
                python + " has no torch/torchvision; set DENSECL_REQUIRE_TORCHVISION=1 to make this a failure");

        Path run = checkpoint();
        Path images = dir.resolve("images");
        new SynthDataset(5, 80, 2, 9).write(dir.resolve("synth")); // 5 JPEGs of varied sizes
        Files.createDirectories(images.resolve("sub"));
        List<Path> jpgs;
        try (var s = Files.walk(dir.resolve("synth/JPEGImages"))) {
            jpgs = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        for (int i = 0; i < jpgs.size(); i++)
            Files.copy(jpgs.get(i), images.resolve((i % 2 == 0 ? "" : "sub/") + "img" + i + ".jpg"));
        writeSquarePng(images.resolve("exact.png"), 64); // exactly PX x PX: only normalised
        Path emb = dir.resolve("emb.safetensors");
        assertThat(TrainerCli.execute(
                        "embed",
                        "--checkpoint",
                        run.toString(),
                        "--data",
                        images.toString(),
                        "--image-size",
                        "64",
                        "--out",
                        emb.toString()))
                .isZero();
        SafeTensors.File f = SafeTensors.read(emb);
        List<String> names = List.of(new ObjectMapper().readValue(f.metadata().get("densecl.files"), String[].class));
        assertThat(names).hasSize(6).contains("exact.png", "sub/img1.jpg");
        SafeTensors.Entry features = f.get("features");
        assertThat(features.shape()).containsExactly(6, 512);

        Path weights = dir.resolve("r18.safetensors");
        assertThat(TrainerCli.execute("export", "--checkpoint", run.toString(), "--out", weights.toString()))
                .isZero();
        List<String> cmd = new ArrayList<>(List.of(
                python,
                Path.of("src/test/python/torchvision_features.py")
                        .toAbsolutePath()
                        .toString(),
                weights.toString(),
                "resnet18",
                "64",
                dir.resolve("tv.f32").toString()));
        for (String n : names) cmd.add(images.resolve(n).toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(outText).isZero();
        JsonNode r = new ObjectMapper()
                .readTree(outText.lines()
                        .filter(l -> l.startsWith("{"))
                        .reduce((a, b) -> b)
                        .orElseThrow());
        assertThat(r.get("missing").toString()).isEqualTo("[\"fc.bias\",\"fc.weight\"]");
        assertThat(r.get("unexpected")).isEmpty();

        float[] ours = features.floats();
        float[] theirs = new float[ours.length];
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("tv.f32")))
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(theirs);
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < ours.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
            maxRef = Math.max(maxRef, Math.abs(theirs[i]));
        }
        System.out.printf(
                "embed vs torchvision %s: max |diff| %.3e, max |feature| %.3e, relative %.2e%n",
                r.get("torchvision").asText(), maxDiff, maxRef, maxDiff / maxRef);
        assertThat(maxRef).as("features are not all zero").isGreaterThan(1e-3);
        assertThat(maxDiff / maxRef)
                .as("embed vs torchvision, relative to the largest feature")
                .isLessThan(1e-4);
    }

    private Path checkpoint() throws IOException {
        RunConfig c = new RunConfig();
        c.model.backbone = Backbone.resnet18;
        c.model.hid = 64;
        c.model.dim = 16;
        c.denseCL.queueSize = 32;
        Encoder enc = new Encoder("resnet18", 64, 16);
        try (NDManager m = NDManager.newBaseManager();
                DenseCLModel model = DenseCLModel.create(
                        enc, new DenseCLModel.Hyper(32, 0.999, 0.2, 0.5, 0), Initializer.official(4), 4, m);
                FlatSgd sgd = new FlatSgd(model.query().params(), 0.9, 1e-4)) {
            // running statistics away from (0, 1) and BN affine away from (1, 0), so eval-mode BatchNorm is really
            // exercised
            SplitMix64 rng = SplitMix64.of(77);
            float[] buffers = model.query().buffers().toFloatArray();
            for (var s : enc.layout().buffers()) {
                int off = (int) enc.layout().offset(s.name());
                boolean var = s.name().endsWith("running_var");
                for (int i = 0; i < s.size(); i++)
                    buffers[off + i] = var ? (float) rng.uniform(0.5, 2.0) : (float) rng.uniform(-0.3, 0.3);
            }
            model.query().buffers().set(buffers);
            float[] params = model.query().params().toFloatArray();
            for (var s : enc.layout().parameters()) {
                if (s.kind() == io.densecl.trainer.model.ParameterSpec.Kind.BN_WEIGHT
                        || s.kind() == io.densecl.trainer.model.ParameterSpec.Kind.BN_BIAS) {
                    int off = (int) enc.layout().offset(s.name());
                    for (int i = 0; i < s.size(); i++) params[off + i] += (float) rng.uniform(-0.2, 0.2);
                }
            }
            model.query().params().set(params);
            TrainerState trainer = new TrainerState(
                    1,
                    0,
                    10,
                    0,
                    0,
                    4,
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
                new CheckpointStore(dir.resolve("run"))
                        .save(
                                new TrainingPosition(1, 0, 10),
                                0,
                                ConfigFingerprint.hash(ConfigFingerprint.of(c)),
                                state.entries(),
                                trainer,
                                Map.of());
            }
        }
        return dir.resolve("run");
    }

    private static void writeSquarePng(Path file, int px) throws IOException {
        java.awt.image.BufferedImage b =
                new java.awt.image.BufferedImage(px, px, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < px; y++)
            for (int x = 0; x < px; x++) b.setRGB(x, y, (x * 4 << 16) | (y * 4 << 8) | ((x ^ y) * 3 & 0xFF));
        javax.imageio.ImageIO.write(b, "png", file.toFile());
    }

    static boolean pythonHasTorchvision(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, torchvision, PIL, numpy")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
