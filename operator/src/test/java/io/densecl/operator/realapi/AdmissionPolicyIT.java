package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.fail;

import io.densecl.controlplane.KubeBinaries;
import io.densecl.operator.crd.CelCases;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chart installed with the real helm (the README's install, then its --reset-then-reuse-values upgrade) on the
 * real kube-apiserver 1.37 with the admin policy on: its ValidatingAdmissionPolicy type-checks against the CRD and
 * refuses runs whose image, priority class, node selector or tolerations the values do not allow, naming the field;
 * metadata-only updates of a run that no longer passes still go through.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionPolicyIT {

    static String namespace;
    static String release;
    static Path helm;

    @BeforeAll
    static void install() throws Exception {
        RealApi.assumeAvailable();
        helm = KubeBinaries.repositoryRoot().resolve("deploy-tests/.tools/helm/helm");
        if (!Files.isExecutable(helm)) {
            if ("1".equals(System.getenv("DENSECL_REQUIRE_REAL_API")) || "true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("helm is missing: run bash deploy-tests/install-tools.sh");
            }
            Assumptions.abort("helm is missing: run bash deploy-tests/install-tools.sh");
        }
        RealApi.installCrd();
        namespace = RealApi.namespace("vap");
        release = namespace; // cluster-scoped names (the policy) are per release
        helm(
                "install",
                release,
                chart(),
                "-n",
                namespace,
                "--set",
                "crds.install=false",
                "--set",
                "watchNamespaces={" + namespace + "}",
                "--set",
                "imageRegistry=example.test/ml",
                "--set",
                "admissionPolicy.enabled=true",
                "--set",
                "admissionPolicy.allowedImagePrefixes={example.test/ml/}",
                "--set",
                "admissionPolicy.allowedPriorityClasses={research-low,research-high}",
                "--set",
                "admissionPolicy.allowedTolerationKeys={nvidia.com/gpu}",
                "--set",
                "admissionPolicy.allowedServiceAccountNames={densecl-s3}",
                "--set-json",
                "admissionPolicy.allowedNodeSelectors={\"nvidia.com/gpu.product\":[\"NVIDIA-A100-SXM4-80GB\"],"
                        + "\"topology.kubernetes.io/zone\":[]}");
        awaitRefused(s -> s.put("image", "other.test/densecl-trainer:1"));
    }

    @AfterAll
    static void uninstall() throws Exception {
        if (release != null) {
            helm("uninstall", release, "-n", namespace);
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    static String chart() throws IOException {
        return KubeBinaries.repositoryRoot().resolve("helm/densecl-operator").toString();
    }

    static String helm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(helm.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(
                List.of("--kubeconfig", RealApi.controlPlane().adminKubeconfig().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        pb.environment()
                .put("HELM_CACHE_HOME", Files.createTempDirectory("helm-cache").toString());
        pb.environment()
                .put(
                        "HELM_CONFIG_HOME",
                        Files.createTempDirectory("helm-config").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("helm " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    static GenericKubernetesResource run(String name, Consumer<Map<String, Object>> edit) throws IOException {
        Map<String, Object> doc = CelCases.load(CelCases.QUICKSTART);
        edit.accept(CelCases.spec(doc));
        GenericKubernetesResource r = Serialization.jsonMapper().convertValue(doc, GenericKubernetesResource.class);
        r.getMetadata().setName(name);
        r.getMetadata().setNamespace(namespace);
        return r;
    }

    /** The refusal of a dry-run create of the quick start with {@code edit} applied (null: accepted). */
    static KubernetesClientException create(Consumer<Map<String, Object>> edit) throws IOException {
        GenericKubernetesResource r = run("probe", edit);
        return catchThrowableOfType(
                KubernetesClientException.class,
                () -> RealApi.admin().resource(r).dryRun().create());
    }

    /** The policy is loaded asynchronously after the install: waits until it refuses {@code edit}. */
    static KubernetesClientException awaitRefused(Consumer<Map<String, Object>> edit) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            KubernetesClientException e = create(edit);
            if (e != null) {
                return e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the admission policy never refused the run");
    }

    static Consumer<Map<String, Object>> resources(String key, Object value) {
        return CelCases.set("resources", key, value);
    }

    @Test
    @Order(1)
    void thePolicyTypeChecksAgainstTheCrd() throws Exception {
        com.fasterxml.jackson.databind.JsonNode policy = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) { // the type checker writes the status after it judged this generation
            RealApi.Result r = RealApi.kubectl(
                    "get", "validatingadmissionpolicy", release + "-densecl-operator-runs", "-o", "json");
            assertThat(r.code()).as(r.err()).isZero();
            policy = Serialization.jsonMapper().readTree(r.out());
            if (policy.path("status").path("observedGeneration").asLong(0)
                    >= policy.path("metadata").path("generation").asLong()) {
                break;
            }
            Thread.sleep(250);
        }
        var status = policy.path("status");
        assertThat(status.path("observedGeneration").asLong(0))
                .as("type-checked")
                .isPositive();
        assertThat(status.path("typeChecking").path("expressionWarnings").size())
                .as("type-checking warnings: %s", status)
                .isZero();
    }

    @Test
    @Order(2)
    void refusesWhatTheValuesDoNotAllowNamingTheField() throws Exception {
        KubernetesClientException image = create(s -> s.put("image", "other.test/densecl-trainer:1"));
        assertThat(image).isNotNull();
        assertThat(image.getMessage())
                .contains("spec.image other.test/densecl-trainer:1 is not allowed: it must start with "
                        + "one of example.test/ml/");
        KubernetesClientException priority = create(resources("priorityClassName", "system-cluster-critical"));
        assertThat(priority).isNotNull();
        assertThat(priority.getMessage())
                .contains("spec.resources.priorityClassName system-cluster-critical is not allowed: "
                        + "use one of research-low, research-high");
        KubernetesClientException selector =
                create(resources("nodeSelector", Map.of("nvidia.com/gpu.product", "H100")));
        assertThat(selector).isNotNull();
        assertThat(selector.getMessage())
                .contains("spec.resources.nodeSelector nvidia.com/gpu.product=H100 is not allowed");
        KubernetesClientException unknownKey =
                create(resources("nodeSelector", Map.of("kubernetes.io/hostname", "gpu-7")));
        assertThat(unknownKey).isNotNull();
        assertThat(unknownKey.getMessage()).contains("kubernetes.io/hostname=gpu-7 is not allowed");
        KubernetesClientException toleration = create(resources(
                "tolerations", List.of(Map.of("key", "node-role.kubernetes.io/control-plane", "operator", "Exists"))));
        assertThat(toleration).isNotNull();
        assertThat(toleration.getMessage())
                .contains("spec.resources.tolerations: only the keys nvidia.com/gpu may be tolerated, "
                        + "not node-role.kubernetes.io/control-plane");
        KubernetesClientException everyTaint = create(resources("tolerations", List.of(Map.of("operator", "Exists"))));
        assertThat(everyTaint).isNotNull();
        assertThat(everyTaint.getMessage()).contains("not (every taint)");
        KubernetesClientException account = create(CelCases.set("pod", "serviceAccountName", "namespace-admin"));
        assertThat(account).isNotNull();
        assertThat(account.getMessage())
                .contains("spec.pod.serviceAccountName namespace-admin is not allowed: use one of densecl-s3");
    }

    @Test
    @Order(3)
    void acceptsWhatTheValuesAllow() throws Exception {
        assertThat(create(s -> {})).as("no image: the chart's default").isNull();
        assertThat(create(s -> s.put("image", "example.test/ml/densecl-trainer:0.2")))
                .isNull();
        assertThat(create(s -> {
                    resources("priorityClassName", "research-high").accept(s);
                    resources(
                                    "nodeSelector",
                                    Map.of(
                                            "nvidia.com/gpu.product",
                                            "NVIDIA-A100-SXM4-80GB",
                                            "topology.kubernetes.io/zone",
                                            "zone-b"))
                            .accept(s);
                    resources(
                                    "tolerations",
                                    List.of(Map.of(
                                            "key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")))
                            .accept(s);
                    CelCases.set("pod", "serviceAccountName", "densecl-s3").accept(s);
                }))
                .isNull();
        assertThat(create(s -> s.put("pod", CelCases.everyPodOverride())))
                .as("every override, its account allowed")
                .isNull();
    }

    /**
     * The README's upgrade line for real: --reset-then-reuse-values keeps every value set at install and takes the
     * new one; a stored run the tightened policy no longer allows keeps its metadata updates, not its spec changes.
     */
    @Test
    @Order(4)
    void anUpgradeKeepsTheValuesAndStoredRunsKeepTheirMetadataUpdates() throws Exception {
        RealApi.admin()
                .resource(run("stored", s -> s.put("image", "example.test/ml/densecl-trainer:0.1.0")))
                .create();
        helm(
                "upgrade",
                release,
                chart(),
                "-n",
                namespace,
                "--reset-then-reuse-values",
                "--set",
                "admissionPolicy.allowedImagePrefixes={team.test/}");
        String values = helm("get", "values", release, "-n", namespace, "-o", "json");
        var v = Serialization.jsonMapper().readTree(values);
        assertThat(v.path("admissionPolicy").path("allowedPriorityClasses").toString())
                .contains("research-low");
        assertThat(v.path("admissionPolicy").path("allowedImagePrefixes").toString())
                .contains("team.test/");
        assertThat(v.path("imageRegistry").asText()).isEqualTo("example.test/ml");
        awaitRefused(s -> s.put("image", "example.test/ml/densecl-trainer:0.1.0"));

        var runs = RealApi.runs(namespace);
        // metadata only (as the operator's finalizer, a label): not judged
        runs.withName("stored").edit(r -> {
            Map<String, String> labels = new LinkedHashMap<>(
                    r.getMetadata().getLabels() == null
                            ? Map.of()
                            : r.getMetadata().getLabels());
            labels.put("team", "vision");
            r.getMetadata().setLabels(labels);
            return r;
        });
        // a spec change is judged, and the stored image is no longer allowed
        KubernetesClientException suspend = catchThrowableOfType(
                KubernetesClientException.class,
                () -> runs.withName("stored").edit(r -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> spec =
                            (Map<String, Object>) r.getAdditionalProperties().get("spec");
                    spec.put("suspend", true);
                    return r;
                }));
        assertThat(suspend).isNotNull();
        assertThat(suspend.getMessage()).contains("spec.image example.test/ml/densecl-trainer:0.1.0 is not allowed");
    }
}
