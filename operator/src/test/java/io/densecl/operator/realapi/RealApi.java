package io.densecl.operator.realapi;

import io.densecl.controlplane.ControlPlane;
import io.densecl.controlplane.KubeBinaries;
import io.densecl.controlplane.SharedControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The real-API tier's access to the shared control plane of the test JVM (etcd, kube-apiserver,
 * kube-controller-manager; {@link SharedControlPlane}): Fabric8 clients for a bearer token, the committed CRD
 * installed once, a fresh namespace per test, and kubectl of the same release.
 */
public final class RealApi {

    public static final Path CRD = Path.of("..", "crds", "denseclruns.densecl.io-v1.yml");
    public static final String CRD_NAME = "denseclruns.densecl.io";

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static KubernetesClient admin;
    private static boolean crdInstalled;

    private RealApi() {}

    /** Skips the test class where the control plane is not built (CI sets DENSECL_REQUIRE_REAL_API=1: never skipped). */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(
                KubeBinaries.shouldRun(), "real control plane not built: run tools/kube/build.sh (CI requires it)");
    }

    public static ControlPlane controlPlane() {
        return SharedControlPlane.get();
    }

    /** A client of the administrator (system:masters). */
    /** DenseCLRuns of a namespace as schemaless objects: what a user's YAML sends, unknown fields included. */
    public static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    io.fabric8.kubernetes.api.model.GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<
                            io.fabric8.kubernetes.api.model.GenericKubernetesResource>>
            runs(String namespace) {
        return admin().genericKubernetesResources("densecl.io/v1alpha1", "DenseCLRun")
                .inNamespace(namespace);
    }

    public static synchronized KubernetesClient admin() {
        if (admin == null) {
            admin = client(controlPlane().admin().token());
        }
        return admin;
    }

    /** A client that authenticates with {@code token} and verifies the server against its CA. */
    public static KubernetesClient client(String token) {
        ControlPlane cp = controlPlane();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(cp.url())
                .withCaCertData(Base64.getEncoder().encodeToString(cp.caPem().getBytes(StandardCharsets.US_ASCII)))
                .withOauthToken(token)
                .withNamespace("default")
                // the tests wait explicitly; a client retrying 409/5xx on its own would hide what the server said
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Installs the committed CRD once per JVM and waits until the server serves it (Established). */
    public static synchronized void installCrd() throws IOException {
        if (crdInstalled) {
            return;
        }
        CustomResourceDefinition crd = admin().apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(Files.newInputStream(CRD))
                .item();
        admin().resource(crd).createOr(existing -> existing.update());
        awaitEstablished(admin(), CRD_NAME, Duration.ofSeconds(60));
        crdInstalled = true;
    }

    /** Waits for the CRD's Established condition (the API server then serves the new resource). */
    public static CustomResourceDefinition awaitEstablished(KubernetesClient client, String name, Duration timeout) {
        return client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(name)
                .waitUntilCondition(
                        c -> c != null
                                && c.getStatus() != null
                                && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(
                                                k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    /** A new namespace {@code <prefix>-<n>} with the given labels. */
    public static String namespace(String prefix, Map<String, String> labels) {
        String name = prefix + "-" + NAMESPACES.incrementAndGet();
        admin().namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withLabels(labels)
                        .endMetadata()
                        .build())
                .create();
        return name;
    }

    public static String namespace(String prefix) {
        return namespace(prefix, Map.of());
    }

    /** Deletes namespaces without waiting (the namespace controller finishes it). */
    public static void deleteNamespaces(List<String> names) {
        for (String n : names) {
            admin().namespaces().withName(n).delete();
        }
    }

    /** The result of a kubectl call. */
    public record Result(int code, String out, String err) {}

    /** Runs kubectl (of the control plane's release) as the administrator; waits at most 120 s. */
    public static Result kubectl(String... args) throws IOException, InterruptedException {
        Process p = startKubectl(args);
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("kubectl " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Starts kubectl as the administrator and returns the running process (for -w and wait). */
    public static Process startKubectl(String... args) throws IOException {
        ControlPlane cp = controlPlane();
        List<String> cmd = new ArrayList<>(List.of(
                cp.binaries().binary("kubectl").toString(),
                "--kubeconfig",
                cp.adminKubeconfig().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("KUBECONFIG");
        return pb.start();
    }
}
