package io.densecl.trainer.data;

/** A batch of two augmented views in host memory: {@code [n, 3, size, size]} each, planar float. */
public record HostBatch(int epoch, int step, int n, int size, float[] viewQ, float[] viewK) {}
