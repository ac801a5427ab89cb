package io.densecl.operator.loop;

import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.reconciler.RunController;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.trainer.ProgressPoller;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * Drives the reconcile loop by hand against the mock API server, the way JOSDK would: read the run
 * and its pods, reconcile, patch the status if the controller returned one.
 */
public final class LoopHarness {

    public final KubernetesClient client;
    public final String namespace;
    public final MutableClock clock;
    public final FakeProgress progress = new FakeProgress();
    public final FakeKubelet kubelet;
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final RunController controller;
    public RunController.Result last;

    public LoopHarness(KubernetesClient client, String namespace, MutableClock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
        this.kubelet = new FakeKubelet(client, namespace, clock);
        OperatorSettings settings = TestSettings.settings();
        // Interval zero: every reconcile polls, so tests need not move the clock to see progress.
        ProgressPoller poller = new ProgressPoller(progress, clock, Duration.ZERO, 2, settings.progressPort());
        this.controller = RunController.create(client, settings, poller, clock, meters);
    }

    public DenseCLRun run(String name) {
        return client.resources(DenseCLRun.class).inNamespace(namespace).withName(name).get();
    }

    public List<Pod> pods(String run) {
        return client.pods().inNamespace(namespace).withLabel(ChildNames.LABEL_RUN, run).list().getItems();
    }

    /** One reconcile; returns the run as stored afterwards. */
    public DenseCLRun reconcile(String name) {
        DenseCLRun run = run(name);
        last = controller.reconcile(run, pods(name));
        if (last.status() != null) {
            run.setStatus(last.status());
            client.resource(run).updateStatus();
        }
        return run(name);
    }

    /** Reconciles until nothing changes any more (as informer events would keep triggering it). */
    public DenseCLRun settle(String name) {
        DenseCLRun run = null;
        for (int i = 0; i < 6; i++) {
            run = reconcile(name);
            if (last.status() == null) {
                return run;
            }
        }
        return run;
    }
}
