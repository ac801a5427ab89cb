package io.densecl.operator.api.v1alpha1;

/**
 * Where one evaluation stands: waiting for its checkpoint's turn (suspended, or its checkpoint claim lets no second pod
 * run beside the trainer), its pod is running, or it finished with metrics, or it failed.
 */
public enum EvaluationState {
    Pending,
    Running,
    Succeeded,
    Failed
}
