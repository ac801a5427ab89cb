package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.densecl.contract.Recipe;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.crd.CelCases;
import io.densecl.operator.crd.CrdCel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the real API server serves DenseCLRuns, none of which the Fabric8 mock does: server-side defaulting from
 * the schema, pruning of unknown fields (with a warning, or a refusal under kubectl's strict validation), the
 * status subresource (spec and status written through separate endpoints, generation counting spec changes
 * only), server-side tables for {@code kubectl get dcl}, {@code kubectl wait} on conditions, and watches.
 */
class CustomResourceServingIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static String namespace;

    @BeforeAll
    static void setUp() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        namespace = RealApi.namespace("serving");
    }

    @AfterAll
    static void tearDown() {
        if (namespace != null) {
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    static NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            runs() {
        return RealApi.runs(namespace);
    }

    static GenericKubernetesResource run(String name, Map<String, Object> spec) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", "densecl.io/v1alpha1");
        doc.put("kind", "DenseCLRun");
        doc.put("metadata", Map.of("name", name, "namespace", namespace));
        doc.put("spec", spec);
        return Serialization.jsonMapper().convertValue(doc, GenericKubernetesResource.class);
    }

    static JsonNode tree(Object o) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(o)); // one number representation on both sides
    }

    @Test
    void theServerAppliesTheSchemaDefaultsAsTheFastTierModelsThem() throws Exception {
        Map<String, Object> minimal = Map.of("data", Map.of("claimName", "d"));
        GenericKubernetesResource stored =
                runs().resource(run("minimal", minimal)).create();
        Map<String, Object> expected = CrdCel.load(CelCases.CRD).withDefaults(Map.of("spec", minimal));
        assertThat(tree(stored.getAdditionalProperties().get("spec"))).isEqualTo(tree(expected.get("spec")));
        assertThat(tree(stored.get("spec", "denseCL")).path("queueSize").asInt())
                .isEqualTo(65536);
        assertThat(tree(stored.get("spec", "checkpoint")).path("onDelete").asText())
                .isEqualTo("Retain");
        // the operator's typed view reads the server's defaults (the mock stored only what the client sent)
        DenseCLRun typed = RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName("minimal")
                .get();
        assertThat(typed.getSpec().training.recipe).isEqualTo(Recipe.imagenet);
        assertThat(typed.getSpec().training.epochs)
                .as("left to the recipe: no default")
                .isNull();
        assertThat(typed.getSpec().denseCL.bnGroupSize).isEqualTo(32);
        assertThat(typed.getSpec().failurePolicy.backoffLimit).isNotNull();
    }

    @Test
    void unknownFieldsArePrunedWithAWarningOrRefusedUnderStrictValidation() throws Exception {
        Map<String, Object> run = CelCases.load(CelCases.QUICKSTART);
        CelCases.set("training", "epoch", 3).accept(CelCases.spec(run));
        CelCases.spec(run).put("colour", "blue");
        String yaml = Serialization.asYaml(run);
        run.put("metadata", Map.of("name", "pruned"));

        RealApi.Result strict = kubectlWithInput(yaml, "create", "-n", namespace, "-f", "-");
        assertThat(strict.code()).isNotZero();
        assertThat(strict.err())
                .contains("strict decoding error")
                .contains("unknown field \"spec.training.epoch\"")
                .contains("unknown field \"spec.colour\"");

        RealApi.Result warn =
                kubectlWithInput(Serialization.asYaml(run), "create", "--validate=warn", "-n", namespace, "-f", "-");
        assertThat(warn.code()).as(warn.err()).isZero();
        assertThat(warn.err()).contains("Warning: unknown field \"spec.training.epoch\"");
        GenericKubernetesResource stored = runs().withName("pruned").get();
        assertThat(tree(stored.get("spec", "training")).has("epoch"))
                .as("pruned")
                .isFalse();
        assertThat(tree(stored.getAdditionalProperties().get("spec")).has("colour"))
                .isFalse();
        assertThat(tree(stored.get("spec", "training")).path("epochs").asInt()).isEqualTo(2);
    }

    @Test
    void specAndStatusAreWrittenThroughSeparateEndpoints() throws Exception {
        GenericKubernetesResource created = run("sub", CelCases.spec(CelCases.load(CelCases.QUICKSTART)));
        created.setAdditionalProperty("status", Map.of("phase", "Succeeded"));
        created = runs().resource(created).create();
        assertThat(created.getAdditionalProperties())
                .as("status is not set on create")
                .doesNotContainKey("status");
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);

        // a main-resource update changes the spec (generation 2) and ignores the status it carries
        Map<String, Object> spec = new LinkedHashMap<>(CelCases.spec(CelCases.load(CelCases.QUICKSTART)));
        spec.put("suspend", true);
        created.setAdditionalProperty("spec", spec);
        created.setAdditionalProperty("status", Map.of("phase", "Failed"));
        GenericKubernetesResource updated = runs().resource(created).update();
        assertThat(updated.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(updated.getAdditionalProperties()).doesNotContainKey("status");

        // a /status write changes the status and ignores the spec; generation stays
        updated.setAdditionalProperty("status", Map.of("phase", "Running", "observedGeneration", 2));
        Map<String, Object> other = new LinkedHashMap<>(spec);
        other.put("suspend", false);
        updated.setAdditionalProperty("spec", other);
        GenericKubernetesResource afterStatus = runs().resource(updated).updateStatus();
        assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(tree(afterStatus.get("status")).path("phase").asText()).isEqualTo("Running");
        assertThat(tree(afterStatus.get("spec")).path("suspend").asBoolean())
                .as("spec via /status ignored")
                .isTrue();

        // metadata-only changes do not count as a new generation either
        GenericKubernetesResource labelled = runs().withName("sub").edit(r -> {
            r.getMetadata().setLabels(Map.of("team", "vision"));
            return r;
        });
        assertThat(labelled.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(Long.parseLong(labelled.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(afterStatus.getMetadata().getResourceVersion()));
    }

    @Test
    void kubectlGetPrintsTheServersTable() throws Exception {
        runs().resource(run("table", CelCases.spec(CelCases.load(CelCases.QUICKSTART))))
                .create();
        writeStatus(
                "table",
                Map.of(
                        "phase",
                        "Running",
                        "progress",
                        Map.of("epoch", 1, "percent", 42),
                        "trainingMetrics",
                        Map.of("loss", 4.1277),
                        "checkpoint",
                        Map.of("latest", Map.of("epoch", 1, "step", 4, "path", "/checkpoints/x/ckpt-e1-s4")),
                        "restarts",
                        Map.of("counted", 0, "disruptions", 1, "total", 1),
                        "bestEvaluation",
                        "seg mIoU=0.41 (e2)"));

        RealApi.Result get = RealApi.kubectl("get", "dcl", "table", "-n", namespace);
        assertThat(get.code()).as(get.err()).isZero();
        List<String> lines = get.out().lines().toList();
        assertThat(lines.get(0).split("\\s+"))
                .containsExactly("NAME", "PHASE", "EPOCH", "PROGRESS%", "LOSS", "CKPT", "RESTARTS", "BEST", "AGE");
        assertThat(lines.get(1))
                .matches("table\\s+Running\\s+1\\s+42\\s+4\\.1277\\s+1\\s+1\\s+seg mIoU=0\\.41 \\(e2\\)\\s+\\d+s");

        // the Table object itself, as any client asking for it gets it
        var http = RealApi.admin().getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(RealApi.controlPlane().url() + "/apis/densecl.io/v1alpha1/namespaces/" + namespace
                        + "/denseclruns/table")
                .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
                .header(
                        "Authorization",
                        "Bearer " + RealApi.controlPlane().admin().token())
                .build();
        HttpResponse<String> response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
        assertThat(response.code()).isEqualTo(200);
        JsonNode table = JSON.readTree(response.body());
        assertThat(table.path("kind").asText()).isEqualTo("Table");
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions")
                .forEach(c -> columns.add(
                        c.path("name").asText() + ":" + c.path("type").asText()));
        assertThat(columns)
                .containsExactly(
                        "Name:string",
                        "Phase:string",
                        "Epoch:integer",
                        "Progress%:integer",
                        "Loss:number",
                        "Ckpt:integer",
                        "Restarts:integer",
                        "Best:string",
                        "Age:date");
    }

    @Test
    void kubectlWaitReturnsOnceTheOperatorStyleCompleteConditionIsTrue() throws Exception {
        runs().resource(run("waited", CelCases.spec(CelCases.load(CelCases.QUICKSTART))))
                .create();
        writeStatus(
                "waited",
                Map.of("phase", "Running", "conditions", List.of(condition("Complete", "False", "NotComplete"))));
        Process wait = RealApi.startKubectl(
                "wait", "dcl/waited", "-n", namespace, "--for=condition=Complete", "--timeout=60s");
        try {
            assertThat(wait.waitFor(3, TimeUnit.SECONDS))
                    .as("Complete=False does not satisfy the wait")
                    .isFalse();
            writeStatus(
                    "waited",
                    Map.of("phase", "Succeeded", "conditions", List.of(condition("Complete", "True", "Complete"))));
            assertThat(wait.waitFor(20, TimeUnit.SECONDS))
                    .as("kubectl wait returned")
                    .isTrue();
            assertThat(wait.exitValue()).isZero();
            assertThat(new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("denseclrun.densecl.io/waited condition met");
        } finally {
            wait.destroyForcibly();
        }
    }

    @Test
    void kubectlGetWatchAndFabric8WatchesDeliverEveryChange() throws Exception {
        BlockingQueue<String> fabric8 = new LinkedBlockingQueue<>();
        var watch = RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName("watched")
                .watch(new Watcher<DenseCLRun>() {
                    @Override
                    public void eventReceived(Action action, DenseCLRun r) {
                        fabric8.add(action + " " + (r.getStatus() == null ? "-" : r.getStatus().phase) + " gen="
                                + r.getMetadata().getGeneration());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        fabric8.add("CLOSED " + cause);
                    }
                });
        Process kubectl = RealApi.startKubectl(
                "get", "dcl", "-n", namespace, "--field-selector=metadata.name=watched", "-w", "--output-watch-events");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    try (var in = new BufferedReader(
                            new InputStreamReader(kubectl.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            lines.add(line.trim().replaceAll("\\s+", " "));
                        }
                    } catch (Exception ignored) {
                        // the process was stopped
                    }
                },
                "kubectl-watch-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            Thread.sleep(1500); // kubectl lists (nothing yet), then watches
            runs().resource(run("watched", CelCases.spec(CelCases.load(CelCases.QUICKSTART))))
                    .create();
            writeStatus("watched", Map.of("phase", "Running"));
            runs().withName("watched").edit(r -> {
                ((Map<String, Object>) r.getAdditionalProperties().get("spec")).put("suspend", true);
                return r;
            });
            runs().withName("watched").delete();

            assertThat(next(fabric8)).isEqualTo("ADDED - gen=1");
            assertThat(next(fabric8)).isEqualTo("MODIFIED Running gen=1");
            assertThat(next(fabric8)).isEqualTo("MODIFIED Running gen=2");
            assertThat(next(fabric8)).isEqualTo("DELETED Running gen=2");

            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seen.add(next(lines));
            }
            // the server's table, one row per event
            assertThat(seen.get(0)).startsWith("EVENT NAME PHASE EPOCH PROGRESS% LOSS CKPT RESTARTS BEST AGE");
            assertThat(seen.subList(1, 5))
                    .satisfiesExactly(
                            l -> assertThat(l).matches("ADDED watched \\d+s"),
                            l -> assertThat(l).matches("MODIFIED watched Running \\d+s"),
                            l -> assertThat(l).matches("MODIFIED watched Running \\d+s"),
                            l -> assertThat(l).matches("DELETED watched Running \\d+s"));
        } finally {
            watch.close();
            kubectl.destroyForcibly();
        }
    }

    static String next(BlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(20, TimeUnit.SECONDS);
        assertThat(s).as("no event within 20 s").isNotNull();
        return s;
    }

    static Map<String, Object> condition(String type, String status, String reason) {
        return Map.of(
                "type",
                type,
                "status",
                status,
                "reason",
                reason,
                "message",
                reason,
                "lastTransitionTime",
                Instant.now().toString().replaceAll("\\.\\d+Z$", "Z"),
                "observedGeneration",
                1);
    }

    /** Replaces the status through /status, as the operator does (JSON patch against the read object). */
    static void writeStatus(String name, Map<String, Object> status) {
        runs().withName(name).editStatus(r -> {
            r.setAdditionalProperty("status", status);
            return r;
        });
    }

    static RealApi.Result kubectlWithInput(String stdin, String... args) throws Exception {
        Process p = RealApi.startKubectl(args);
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new RealApi.Result(p.exitValue(), out, err);
    }
}
