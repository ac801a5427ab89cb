package io.densecl.trainer.model;

import ai.djl.ndarray.types.Shape;

/** One named tensor of an encoder (torchvision name, shape, and whether it is a BatchNorm tensor). */
public record ParameterSpec(String name, Shape shape, Kind kind) {

    /** What the tensor is; decides its initialisation and whether SGD/EMA touch it. */
    public enum Kind {
        WEIGHT,
        BIAS,
        BN_WEIGHT,
        BN_BIAS,
        BN_RUNNING_MEAN,
        BN_RUNNING_VAR;

        public boolean trainable() {
            return this != BN_RUNNING_MEAN && this != BN_RUNNING_VAR;
        }
    }

    public long size() {
        return shape.size();
    }
}
