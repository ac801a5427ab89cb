package io.densecl.trainer.model;

import ai.djl.pytorch.jni.JniUtils;

/** Switches libtorch's (per-thread) autograd recording; used as try-with-resources. */
public final class GradMode implements AutoCloseable {
    private final boolean restore;

    private GradMode(boolean enabled, boolean restore) {
        this.restore = restore;
        JniUtils.setGradMode(enabled);
    }

    /** Records no graph until closed, then records again. */
    public static GradMode off() {
        return new GradMode(false, true);
    }

    /** Records a graph until closed, then stops. */
    public static GradMode on() {
        return new GradMode(true, false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(restore);
    }
}
