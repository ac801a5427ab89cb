package io.densecl.operator.api.v1alpha1;

/** Where one evaluation stands: its pod is running, or it finished with metrics, or it failed. */
public enum EvaluationState { Running, Succeeded, Failed }
