package io.densecl.operator.resources;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.Map;

/** Builds a run's NetworkPolicy: its trainer pods accept ingress on the progress port from the operator's pods. */
public final class TrainerNetworkPolicies {

    /** The kubelet's immutable namespace-name label (Kubernetes >= 1.21), the only reliable namespace selector. */
    public static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
    /** The trainer container's port name (PodFactory); the policy names it so a changed port number still matches. */
    public static final String PROGRESS_PORT_NAME = "progress";

    private TrainerNetworkPolicies() {}

    /**
     * In the run's namespace, owned by the run (the garbage collector removes it with the run), selecting the run's
     * trainer pods by run and role labels. Only an allow rule: it opens the progress port to the operator in
     * namespaces with a default-deny policy, and isolates nothing but the trainer pods it selects.
     */
    public static NetworkPolicy trainerPolicy(DenseCLRun run, TrainerPolicySettings settings) {
        String name = run.getMetadata().getName();
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                .withName(ChildNames.trainerPolicy(name))
                .withNamespace(run.getMetadata().getNamespace())
                .addToLabels(ChildNames.LABEL_RUN, name)
                .withOwnerReferences(ChildResources.ownerReference(run))
                .endMetadata()
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(Map.of(ChildNames.LABEL_RUN, name, ChildNames.LABEL_ROLE, ChildNames.ROLE_PRETRAIN))
                .endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress()
                .addNewFrom()
                .withNewNamespaceSelector()
                .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, settings.operatorNamespace()))
                .endNamespaceSelector()
                .withNewPodSelector()
                .withMatchLabels(settings.operatorPodLabels())
                .endPodSelector()
                .endFrom()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(PROGRESS_PORT_NAME))
                .endPort()
                .endIngress()
                .endSpec()
                .build();
    }
}
