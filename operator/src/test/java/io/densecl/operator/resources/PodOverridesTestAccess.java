package io.densecl.operator.resources;

import io.densecl.operator.api.v1alpha1.DenseCLRun;

/** Hands the fully overridden run of {@link PodOverridesTest} to tests in other packages (and the real-API tier). */
public final class PodOverridesTestAccess {

    private PodOverridesTestAccess() {}

    public static DenseCLRun everyOverride() {
        return PodOverridesTest.everyOverride();
    }
}
