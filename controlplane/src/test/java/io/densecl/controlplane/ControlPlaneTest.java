package io.densecl.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher against the real binaries: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
 * start, kubectl talks to them over verified TLS with a static token, RBAC refuses an unprivileged user,
 * and the controller-manager does its work (the default service account of a new namespace).
 */
class ControlPlaneTest {

    static ControlPlane cp;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(KubeBinaries.shouldRun(), "control plane not built: run tools/kube/build.sh");
        cp = ControlPlane.builder()
                .withControllerManager()
                .withScheduler()
                .identity(Identity.of("nobody"))
                .start();
    }

    @AfterAll
    static void stop() {
        if (cp != null) {
            cp.close();
        }
    }

    @Test
    void kubectlTalksToTheApiServerOverVerifiedTls() throws Exception {
        Result version = kubectl(cp.adminKubeconfig(), "version", "-o", "json");
        assertThat(version.code).as(version.err).isZero();
        assertThat(version.out).contains("\"gitVersion\": \"v1.37.2\"");
        Result nodes = kubectl(cp.adminKubeconfig(), "get", "--raw", "/readyz");
        assertThat(nodes.out.trim()).isEqualTo("ok");
    }

    @Test
    void rbacRefusesAUserWithoutBindings() throws Exception {
        Result r = kubectl(cp.kubeconfig("nobody"), "get", "pods", "-n", "default");
        assertThat(r.code).isNotZero();
        assertThat(r.err).contains("Forbidden").contains("User \"nobody\"");
    }

    @Test
    void theControllerManagerCreatesTheDefaultServiceAccount() throws Exception {
        Path admin = cp.adminKubeconfig();
        assertThat(kubectl(admin, "create", "namespace", "cp-test").code).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Result sa;
        do {
            sa = kubectl(admin, "get", "serviceaccount", "default", "-n", "cp-test", "-o", "name");
            if (sa.code == 0) {
                break;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertThat(sa.out.trim()).isEqualTo("serviceaccount/default");
        assertThat(cp.healthy()).isTrue();
    }

    record Result(int code, String out, String err) {}

    static Result kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(
                List.of(cp.binaries().binary("kubectl").toString(), "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
