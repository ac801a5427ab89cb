package io.densecl.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.DenseCLModel;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.model.KeyShuffle;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.optim.FlatSgd;
import io.densecl.trainer.train.TrainStep;
import io.densecl.trainer.util.SplitMix64;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Reproduces full DenseCL steps computed by PyTorch: init rule, outputs, correspondences, losses,
 * gradients, SGD, EMA, BN statistics and queues. Data-driven: every {@code <name>.json} +
 * {@code <name>.safetensors} pair in src/test/resources/golden (or, with {@code -Ddensecl.golden.dir=DIR},
 * every pair in DIR) is one test; the JSON gives the model sizes, hyper-parameters and BatchNorm groups,
 * the file the inputs, the key permutations of Shuffle BN and the expected values.
 */
class GoldenStepTest {
    private static final double LOSS_TOL = 1e-4;
    private static final double TENSOR_TOL = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Step-2 gradients of the stem are decided by the sign of a handful of ReLU inputs that lie within
     * fp32 rounding noise (~2e-5) of zero in layer1-layer4; which side they fall on depends on the kernels'
     * summation order. Re-running the golden steps in PyTorch on this machine (src/test/python/rerun_golden.py):
     * PyPI torch 2.7.1, the libtorch this trainer runs, misses the plain file's stem gradients by 7.0e-3 and
     * 8.8e-3 but reproduces the split-BN file's to 5e-6; Debian's torch 1.13 reproduces both to 5e-6. This
     * trainer misses them by 1.1e-3 (plain) and 1.4e-3 / 2.5e-3 (split-BN), and every other tensor of both
     * files by at most 8.7e-6 (gradients) and 8.1e-5 (post-SGD stem, which inherits it). So these two tensors
     * get 2e-2 in both files, everything downstream of those ReLUs (layer4, neck), every step-1 gradient and
     * every other post-SGD parameter is held to 1e-3. Keyed by golden file.
     */
    private static final Map<String, Double> STEM_STEP2 = Map.of(
            "step2.grad.backbone.conv1.weight", 2e-2,
            "step2.grad.backbone.bn1.weight", 2e-2);

    private static final Map<String, Map<String, Double>> FP32_SIGN_SENSITIVE = Map.of(
            "densecl-r18-two-steps", STEM_STEP2,
            "densecl-r18-splitbn-two-steps", STEM_STEP2);

    @TestFactory
    Stream<DynamicTest> reproducesEveryGoldenFile() throws Exception {
        String dir = System.getProperty("densecl.golden.dir");
        Path folder = dir != null && !dir.isBlank()
                ? Path.of(dir)
                : Paths.get(getClass().getResource("/golden").toURI());
        List<Path> pairs;
        try (Stream<Path> s = Files.list(folder)) {
            pairs = s.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> Files.isRegularFile(Path.of(p.toString().replaceFirst("\\.json$", ".safetensors"))))
                    .sorted()
                    .toList();
        }
        assertThat(pairs)
                .as("golden pairs (<name>.json + <name>.safetensors) in " + folder)
                .isNotEmpty();
        return pairs.stream()
                .map(json -> DynamicTest.dynamicTest(json.getFileName().toString(), () -> reproduce(json)));
    }

    /** The golden file's configuration, read from its JSON. */
    record Golden(
            String name,
            String arch,
            int hid,
            int dim,
            int batch,
            int queueSize,
            double temperature,
            double lambda,
            double momentum,
            double lr,
            double sgdMomentum,
            double weightDecay,
            int groups,
            String shuffleRule) {

        static Golden read(Path json) throws IOException {
            JsonNode j = JSON.readTree(json.toFile());
            String rule = j.at("/init/rule").asText();
            assertThat(rule)
                    .as(json + ": init.rule must be the rule Initializer.golden() implements")
                    .contains("SplitMix64 seeded with 20261128+i")
                    .contains("sqrt(6.0 / fan_in) * 0.5")
                    .contains("0.05f for rank-1");
            Matcher arch = Pattern.compile("resnet(18|34|50|101)")
                    .matcher(j.path("backbone").asText());
            assertThat(arch.find()).as(json + ": backbone names a ResNet").isTrue();
            Matcher linear = Pattern.compile("Linear\\((\\d+),\\s*(\\d+)\\).*Linear\\((\\d+),\\s*(\\d+)\\)")
                    .matcher(j.at("/neck/global").asText());
            assertThat(linear.find())
                    .as(json + ": neck.global spells out both Linear layers")
                    .isTrue();
            JsonNode bn = j.path("batchnorm");
            return new Golden(
                    json.getFileName().toString().replaceFirst("\\.json$", ""),
                    arch.group(),
                    Integer.parseInt(linear.group(2)),
                    Integer.parseInt(linear.group(4)),
                    j.path("batch").asInt(),
                    j.path("queue_size").asInt(),
                    j.path("temperature").asDouble(),
                    j.path("loss_lambda").asDouble(),
                    j.path("momentum").asDouble(),
                    j.at("/sgd/lr").asDouble(),
                    j.at("/sgd/momentum").asDouble(),
                    j.at("/sgd/weight_decay").asDouble(),
                    bn.path("groups").asInt(1),
                    bn.path("shuffle").asText(""));
        }
    }

    private void reproduce(Path json) throws Exception {
        Golden g = Golden.read(json);
        System.out.printf(
                "golden file %s: %s, batch %d, %d BatchNorm group(s)%n", g.name(), g.arch(), g.batch(), g.groups());
        SafeTensors.File golden = SafeTensors.read(Path.of(json.toString().replaceFirst("\\.json$", ".safetensors")));
        int steps = 0;
        while (golden.tensors().containsKey("step" + (steps + 1) + ".loss")) steps++;
        assertThat(steps).as(g.name() + ": steps").isPositive();
        Map<String, Double> exceptions = FP32_SIGN_SENSITIVE.getOrDefault(g.name(), Map.of());
        Encoder encoder = new Encoder(g.arch(), g.hid(), g.dim());
        DenseCLModel.Hyper hyper =
                new DenseCLModel.Hyper(g.queueSize(), g.momentum(), g.temperature(), g.lambda(), 0, g.groups());
        List<String> failures = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager();
                DenseCLModel model = DenseCLModel.create(encoder, hyper, Initializer.golden(), 0, root)) {
            ParameterLayout layout = encoder.layout();
            // the init rule is reproduced bit for bit
            for (String name : golden.tensors().keySet()) {
                if (name.startsWith("init.") && !name.startsWith("init.queue")) {
                    float[] want = golden.get(name).floats();
                    float[] got = model.query().view(name.substring(5)).toFloatArray();
                    assertThat(java.util.Arrays.mismatch(got, want))
                            .as(name + ": first differing element (bit for bit)")
                            .isEqualTo(-1);
                }
            }
            if (g.groups() > 1) {
                // Shuffle BN: the golden's own permutation of each step, checked against the rule its JSON states
                for (int s = 1; s <= steps; s++) {
                    long[] stored = golden.get("step" + s + ".shuffle").longs();
                    assertThat(stored)
                            .as(g.name() + " step" + s + ".shuffle has one entry per image")
                            .hasSize(g.batch());
                    if (g.shuffleRule().contains("Fisher-Yates with SplitMix64 seeded 7000+S")) {
                        assertThat(KeyShuffle.toLongs(new SplitMix64(7000 + s).permutation(g.batch())))
                                .as("the golden's stated Fisher-Yates/SplitMix64 rule gives step" + s + ".shuffle")
                                .containsExactly(stored);
                    }
                }
                model.setKeyShuffle((step, n) ->
                        golden.get("step" + (step + 1) + ".shuffle").longs());
            } else {
                model.setKeyShuffle((step, n) -> {
                    throw new AssertionError("one BatchNorm group must not shuffle the keys");
                });
            }
            model.queue().set(golden.get("init.queue").floats());
            model.queue2().set(golden.get("init.queue2").floats());
            FlatSgd sgd = new FlatSgd(model.query().params(), g.sgdMomentum(), g.weightDecay());
            TrainStep step = new TrainStep(model, sgd);
            for (int s = 1; s <= steps; s++) {
                String p = "step" + s + ".";
                NDArray imQ = image(root, golden, p + "im_q");
                NDArray imK = image(root, golden, p + "im_k");
                assertThat(imQ.getShape().get(0)).as(g.name() + ": batch").isEqualTo(g.batch());
                final String prefix = p;
                TrainStep.Result r = step.run(imQ, imK, g.lr(), s - 1, new TrainStep.Probe() {
                    @Override
                    public void afterForward(DenseCLModel.Outputs o) {
                        compare(
                                failures,
                                exceptions,
                                prefix + "q",
                                o.q().toFloatArray(),
                                golden.get(prefix + "q").floats());
                        compare(
                                failures,
                                exceptions,
                                prefix + "k",
                                o.k().toFloatArray(),
                                golden.get(prefix + "k").floats());
                        compare(
                                failures,
                                exceptions,
                                prefix + "k2",
                                o.k2().toFloatArray(),
                                golden.get(prefix + "k2").floats());
                        compare(
                                failures,
                                exceptions,
                                prefix + "q_grid",
                                o.qGrid().toFloatArray(),
                                golden.get(prefix + "q_grid").floats());
                        assertThat(o.correspondence().toLongArray())
                                .as(prefix + "corr_index")
                                .containsExactly(
                                        golden.get(prefix + "corr_index").longs());
                    }

                    @Override
                    public void afterBackward(NDArray grad) {
                        for (String name : golden.tensors().keySet()) {
                            if (name.startsWith(prefix + "grad.")) {
                                String t = name.substring((prefix + "grad.").length());
                                long off = layout.offset(t);
                                long n = layout.shape(t).size();
                                float[] got = grad.get(off + ":" + (off + n)).toFloatArray();
                                compare(
                                        failures,
                                        exceptions,
                                        name,
                                        got,
                                        golden.get(name).floats());
                            }
                        }
                    }
                });
                for (String[] l : new String[][] {
                    {"loss_single", Float.toString(r.lossGlobal())},
                    {"loss_dense", Float.toString(r.lossDense())},
                    {"loss", Float.toString(r.loss())}
                }) {
                    double want = golden.get(p + l[0]).floats()[0];
                    System.out.printf(
                            "golden %-50s rel.err %.2e%n",
                            p + l[0], Math.abs(Float.parseFloat(l[1]) - want) / Math.abs(want));
                }
                assertThat(r.lossGlobal())
                        .as(p + "loss_single")
                        .isCloseTo(golden.get(p + "loss_single").floats()[0], rel(LOSS_TOL, golden, p + "loss_single"));
                assertThat(r.lossDense())
                        .as(p + "loss_dense")
                        .isCloseTo(golden.get(p + "loss_dense").floats()[0], rel(LOSS_TOL, golden, p + "loss_dense"));
                assertThat(r.loss())
                        .as(p + "loss")
                        .isCloseTo(golden.get(p + "loss").floats()[0], rel(LOSS_TOL, golden, p + "loss"));
                for (String name : golden.tensors().keySet()) {
                    if (name.startsWith(p + "after.")) {
                        compare(
                                failures,
                                exceptions,
                                name,
                                model.query()
                                        .view(name.substring((p + "after.").length()))
                                        .toFloatArray(),
                                golden.get(name).floats());
                    } else if (name.startsWith(p + "key.")) {
                        compare(
                                failures,
                                exceptions,
                                name,
                                model.key()
                                        .view(name.substring((p + "key.").length()))
                                        .toFloatArray(),
                                golden.get(name).floats());
                    }
                }
                compare(
                        failures,
                        exceptions,
                        p + "queue",
                        model.queue().toFloatArray(),
                        golden.get(p + "queue").floats());
                compare(
                        failures,
                        exceptions,
                        p + "queue2",
                        model.queue2().toFloatArray(),
                        golden.get(p + "queue2").floats());
                imQ.close();
                imK.close();
            }
            sgd.close();
        }
        assertThat(failures).as(g.name()).isEmpty();
    }

    private static org.assertj.core.data.Offset<Float> rel(double tol, SafeTensors.File g, String name) {
        return org.assertj.core.data.Offset.offset((float) (Math.abs(g.get(name).floats()[0]) * tol));
    }

    private static NDArray image(NDManager m, SafeTensors.File g, String name) {
        SafeTensors.Entry e = g.get(name);
        return m.create(e.floats(), new Shape(e.shape()));
    }

    /** Relative error of the whole tensor: max |got - want| / max |want| (elementwise for tiny tensors is noise). */
    static void compare(List<String> failures, Map<String, Double> exceptions, String name, float[] got, float[] want) {
        if (got.length != want.length) {
            failures.add(name + ": length " + got.length + " != " + want.length);
            return;
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < got.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            maxRef = Math.max(maxRef, Math.abs(want[i]));
        }
        double rel = maxDiff / Math.max(maxRef, 1e-12);
        System.out.printf("golden %-50s rel.err %.2e%n", name, rel);
        double tol = exceptions.getOrDefault(name, TENSOR_TOL);
        if (rel > tol) {
            failures.add(String.format("%s: relative error %.3e > %.0e", name, rel, tol));
        }
    }
}
