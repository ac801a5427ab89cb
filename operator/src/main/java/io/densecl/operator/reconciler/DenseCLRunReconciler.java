package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.resources.ChildNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;

/**
 * The JOSDK entry point: hands the run and its pods (from an informer) to the RunController and turns the result
 * into a status patch and a reschedule. No finalizer: the operator keeps nothing outside the cluster that a deletion
 * must wait for (a finalizer would hang every namespace deletion while the operator is down). A deleted run's
 * per-run metrics and caches are forgotten on the informer's delete event; Kubernetes garbage-collects the children
 * through their owner references.
 */
@ControllerConfiguration(name = "denseclrun")
@RBACRule(
        apiGroups = "",
        resources = "pods",
        verbs = {"get", "list", "watch", "create", "delete"})
@RBACRule(
        apiGroups = "",
        resources = "configmaps",
        verbs = {"get", "list", "watch", "create", "update"})
@RBACRule(
        apiGroups = "",
        resources = "persistentvolumeclaims",
        verbs = {"get", "list", "watch", "create"})
@RBACRule(
        apiGroups = "",
        resources = "events",
        verbs = {"create", "patch"})
@RBACRule(
        apiGroups = "networking.k8s.io",
        resources = "networkpolicies",
        verbs = {"get", "create"})
public class DenseCLRunReconciler implements Reconciler<DenseCLRun> {

    @Inject
    RunController controller;

    @Override
    public List<EventSource<?, DenseCLRun>> prepareEventSources(EventSourceContext<DenseCLRun> context) {
        // Pods map to the run their densecl.io/run label names, not to their owner reference: the pod of a deleted run
        // with the same name, or an orphan, must reach the new run too (its trainer may still use the checkpoints).
        var pods = InformerEventSourceConfiguration.from(Pod.class, DenseCLRun.class)
                .withLabelSelector(ChildNames.LABEL_RUN)
                .withSecondaryToPrimaryMapper((Pod pod) -> Set.of(new ResourceID(
                        pod.getMetadata().getLabels().get(ChildNames.LABEL_RUN),
                        pod.getMetadata().getNamespace())))
                .build();
        // Delete events of runs only, to forget their metrics and caches: every other event is filtered out (the
        // controller's own informer already triggers reconciles).
        var deletions = InformerEventSourceConfiguration.from(DenseCLRun.class, DenseCLRun.class)
                .withName("denseclrun-deletions")
                .withSecondaryToPrimaryMapper((DenseCLRun run) -> Set.of(ResourceID.fromResource(run)))
                .withOnAddFilter(run -> {
                    controller.dropLegacyFinalizer(run); // runs created by an operator version that used one
                    return false;
                })
                .withOnUpdateFilter((run, old) -> {
                    controller.dropLegacyFinalizer(run);
                    return false;
                })
                .withOnDeleteFilter((run, finalStateUnknown) -> {
                    controller.forget(run);
                    return false;
                })
                .build();
        return List.of(new InformerEventSource<>(pods, context), new InformerEventSource<>(deletions, context));
    }

    @Override
    public UpdateControl<DenseCLRun> reconcile(DenseCLRun run, Context<DenseCLRun> context) {
        RunController.Result result = controller.reconcile(run, context.getSecondaryResources(Pod.class));
        UpdateControl<DenseCLRun> control;
        if (result.status() != null) {
            run.setStatus(result.status());
            control = UpdateControl.patchStatus(run);
        } else {
            control = UpdateControl.noUpdate();
        }
        if (result.requeueAfter() != null) {
            control.rescheduleAfter(result.requeueAfter());
        }
        return control;
    }
}
