package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;

/** Looks up an encoder tensor by its torchvision name (e.g. {@code backbone.layer1.0.conv1.weight}). */
@FunctionalInterface
public interface Weights {
    NDArray get(String name);
}
