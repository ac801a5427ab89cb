package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the operator's status write behaves when the run changed after the operator read it, on the real server.
 * JOSDK 5.3 without server-side apply writes status as a JSON patch (RFC 6902) of the status, computed against its
 * cached object with the resourceVersion removed ({@code ReconciliationDispatcher.CustomResourceFacade.editStatus}).
 * So the API server never answers it with 409: it applies the operations to the newer object. What can really fail
 * is an operation that no longer fits the newer object (an index past the end of a list): 422, which JOSDK treats
 * as a failed reconcile and retries from the refreshed cache. A write that keeps the resourceVersion gets the 409.
 */
class StatusWriteIT {

    static String namespace;

    @BeforeAll
    static void setUp() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        namespace = RealApi.namespace("status");
    }

    @AfterAll
    static void tearDown() {
        if (namespace != null) {
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    static DenseCLRun created(String name) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        run.setSpec(Fixtures.spec());
        run = RealApi.admin().resource(run).create();
        DenseCLRunStatus s = new DenseCLRunStatus();
        s.phase = Phase.Starting;
        s.message = "waiting for pod " + name + "-a1 to start";
        s.avoidNodes = List.of("node-a", "node-b");
        run.setStatus(s);
        return RealApi.admin().resource(run).updateStatus();
    }

    /** Someone else changes the run after the operator read it: its spec (new generation) and labels. */
    static DenseCLRun changedBehindTheCache(DenseCLRun cached) {
        return RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName(cached.getMetadata().getName())
                .edit(r -> {
                    r.getSpec().training.epochs = 5;
                    r.getMetadata().setLabels(Map.of("team", "vision"));
                    return r;
                });
    }

    @Test
    void josdksStatusPatchWithoutResourceVersionLandsOnTheNewerObject() {
        DenseCLRun cached = created("stale-base");
        DenseCLRun newer = changedBehindTheCache(cached);
        assertThat(newer.getMetadata().getGeneration()).isEqualTo(2L);

        // exactly what JOSDK does: clone the cached object, drop its resourceVersion, JSON-patch the status
        DenseCLRun base =
                RealApi.admin().resources(DenseCLRun.class).resource(cached).item();
        base.getMetadata().setResourceVersion(null);
        DenseCLRun written = RealApi.admin().resource(base).editStatus(r -> {
            r.getStatus().phase = Phase.Running;
            r.getStatus().observedGeneration = 1L;
            return r;
        });
        assertThat(written.getStatus().phase).isEqualTo(Phase.Running);
        assertThat(written.getMetadata().getGeneration())
                .as("the newer spec is untouched")
                .isEqualTo(2L);
        assertThat(written.getSpec().training.epochs).isEqualTo(5);
        assertThat(written.getStatus().observedGeneration)
                .as("stale, until the next reconcile")
                .isEqualTo(1L);
    }

    @Test
    void theSameWriteKeepingTheStaleResourceVersionIsRefusedWith409() {
        DenseCLRun cached = created("stale-version");
        changedBehindTheCache(cached);
        cached.getStatus().phase = Phase.Running;
        var e = catchThrowableOfType(
                KubernetesClientException.class,
                () -> RealApi.admin().resource(cached).updateStatus());
        assertThat(e).isNotNull();
        assertThat(e.getCode()).isEqualTo(409);
        assertThat(e.getMessage())
                .contains("the object has been modified; please apply your changes to the latest version");
    }

    @Test
    void aJsonPatchWhoseOperationsNoLongerFitIsRefusedWith422() {
        DenseCLRun run = created("stale-list");
        // the cached status had two avoided nodes; the live one has none: "remove index 1" no longer applies
        RealApi.admin()
                .resources(DenseCLRun.class)
                .inNamespace(namespace)
                .withName("stale-list")
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/status/avoidNodes\"}]");
        var e = catchThrowableOfType(
                KubernetesClientException.class,
                () -> RealApi.admin()
                        .resources(DenseCLRun.class)
                        .inNamespace(namespace)
                        .withName(run.getMetadata().getName())
                        .subresource("status")
                        .patch(
                                PatchContext.of(PatchType.JSON),
                                "[{\"op\":\"remove\",\"path\":\"/status/avoidNodes/1\"}]"));
        assertThat(e).isNotNull();
        assertThat(e.getCode()).isEqualTo(422);
    }
}
