package io.densecl.operator.realapi;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.Phase;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs and their pods as the administrator sees them, and waiting for them: the look-ups and waits of the
 * real-operator scenarios ({@link OperatorProcessIT}). A timeout names what it waited for and appends
 * {@link #diagnostics} (the operator's log tail).
 */
final class Runs {

    /** What to append to a timeout message. */
    static volatile Supplier<String> diagnostics = () -> "";

    private Runs() {}

    static DenseCLRun create(String ns, String name, DenseCLRunSpec spec) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        run.setSpec(spec);
        return RealApi.admin().resource(run).create();
    }

    static DenseCLRun run(String ns, String name) {
        return RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static List<Pod> pods(String ns, String run) {
        return RealApi.admin()
                .pods()
                .inNamespace(ns)
                .withLabel(ChildNames.LABEL_RUN, run)
                .list()
                .getItems();
    }

    static DenseCLRun awaitPhase(String ns, String name, Phase phase) {
        return await(name + " in phase " + phase, Duration.ofSeconds(60), () -> {
            DenseCLRun r = run(ns, name);
            return r != null && r.getStatus() != null && r.getStatus().phase == phase ? r : null;
        });
    }

    static Pod awaitRunningPod(String ns, String pod) {
        return await(pod + " running", Duration.ofSeconds(60), () -> {
            Pod p = RealApi.admin().pods().inNamespace(ns).withName(pod).get();
            return p != null
                            && p.getStatus() != null
                            && "Running".equals(p.getStatus().getPhase())
                    ? p
                    : null;
        });
    }

    /** The termination message of a trainer that finished training with its checkpoint of {@code epoch}/{@code step}. */
    static String complete(String dir, int epoch, long step) {
        return "{\"result\":\"Complete\",\"epoch\":" + epoch + ",\"step\":" + step + ",\"checkpoint\":\"" + dir
                + "/ckpt-e" + epoch + "-s" + step
                + "\",\"metrics\":{\"loss\":4.2,\"lossGlobal\":4.0,\"lossDense\":4.4}}";
    }

    /** A JSON merge patch without resourceVersion, as {@code kubectl patch --type=merge} sends. */
    static void patch(String ns, String name, String mergePatch) {
        RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(ns)
                .withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }

    static <T> T await(String what, Duration timeout, Supplier<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + diagnostics.get());
            }
            sleep(200);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
