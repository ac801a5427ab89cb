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
 * Drives the reconcile loop by hand against an API server (the Fabric8 mock or a real one), the way JOSDK would:
 * read the run and its pods, reconcile, patch the status if the controller returned one.
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
        this(client, namespace, clock, new FakeKubelet(client, namespace, clock));
    }

    public LoopHarness(KubernetesClient client, String namespace, MutableClock clock, FakeKubelet kubelet) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
        this.kubelet = kubelet;
        OperatorSettings settings = TestSettings.settings();
        // Interval zero: every reconcile polls, so tests need not move the clock to see progress.
        ProgressPoller poller = new ProgressPoller(progress, clock, Duration.ZERO, 2, settings.progressPort());
        this.controller = RunController.create(client, settings, poller, clock, meters);
    }

    public DenseCLRun run(String name) {
        return client.resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** The run's pods, as the operator's informer selects them (label present; a run name too long for a label value
     * cannot be a selector value, the real server refuses such a selector). */
    public List<Pod> pods(String run) {
        return client.pods().inNamespace(namespace).withLabel(ChildNames.LABEL_RUN).list().getItems().stream()
                .filter(p -> run.equals(p.getMetadata().getLabels().get(ChildNames.LABEL_RUN)))
                .toList();
    }

    /**
     * One reconcile; returns the run as stored afterwards. The status is written as JOSDK 5.3 writes it without
     * server-side apply: a JSON patch (RFC 6902) of the status against the object the reconcile read, with its
     * resourceVersion removed, so the write never fails with 409 when the run changed in between.
     */
    public DenseCLRun reconcile(String name) {
        return reconcileSeeing(name, pods(name));
    }

    /**
     * One reconcile that sees {@code cached} as the run's pods, whatever the server holds: an informer cache that lags
     * behind the API server (a re-list after a dropped watch, a pod created a moment ago).
     */
    public DenseCLRun reconcileSeeing(String name, List<Pod> cached) {
        DenseCLRun run = run(name);
        last = controller.reconcile(run, cached);
        if (last.status() != null) {
            run.getMetadata().setResourceVersion(null);
            client.resource(run).editStatus(r -> {
                r.setStatus(last.status());
                return r;
            });
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
