package io.densecl.operator.loop;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.concurrent.atomic.AtomicInteger;

/** The reconcile-loop scenarios on the Fabric8 mock API server (CRUD mode): no garbage collector, no kubelet. */
@EnableKubernetesMockClient(crud = true)
class ReconcileLoopTest extends ReconcileLoopScenarios {

    static KubernetesClient mock;
    static final AtomicInteger NS = new AtomicInteger();

    @Override
    protected KubernetesClient client() {
        return mock;
    }

    @Override
    protected String newNamespace() {
        return "ml" + NS.incrementAndGet();
    }

    @Override
    protected FakeKubelet kubelet(String namespace, MutableClock clock) {
        return new FakeKubelet(mock, namespace, clock);
    }

    /** The mock has no garbage collector: delete the owned children by hand. */
    @Override
    protected void awaitChildrenCollected(String run) {
        mock.pods()
                .inNamespace(loop.namespace)
                .withLabel(ChildNames.LABEL_RUN, run)
                .delete();
        mock.configMaps()
                .inNamespace(loop.namespace)
                .withName(ChildNames.config(run))
                .delete();
    }

    /** What the garbage collector does for an orphaning delete, by hand. */
    @Override
    protected void deleteOrphaningChildren(DenseCLRun run) {
        mock.resource(run).delete();
        for (var pod : mock.pods()
                .inNamespace(loop.namespace)
                .withLabel(ChildNames.LABEL_RUN, run.getMetadata().getName())
                .list()
                .getItems()) {
            pod.getMetadata().setOwnerReferences(null);
            mock.resource(pod).update();
        }
    }

    @Override
    protected void retireOldPod(String pod) {
        mock.pods().inNamespace(loop.namespace).withName(pod).delete();
    }
}
