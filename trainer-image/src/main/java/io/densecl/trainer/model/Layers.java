package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Stateless functional layers (conv, BatchNorm, ReLU) with torch semantics, applied to named weights. */
public final class Layers {
    /** torch.nn.BatchNorm2d defaults. */
    public static final double BN_MOMENTUM = 0.1;
    public static final double BN_EPS = 1e-5;

    private Layers() {}

    /**
     * Bias-free (or biased) 2-D convolution with square kernel, torch padding semantics.
     *
     * <p>A 1x1 convolution with stride 2 is computed as "take every second pixel, then a stride-1
     * 1x1 convolution": the same math and weights, but it avoids a oneDNN 3.7 SIGFPE in the
     * backward pass of (512->1024) and (1024->2048) stride-2 1x1 convolutions on some CPUs.
     */
    public static NDArray conv(Weights w, String prefix, NDArray x, int stride, int padding, boolean bias) {
        return conv(w, prefix, x, stride, padding, 1, bias);
    }

    /** As above with a dilation (atrous convolution; padding is given by the caller). */
    public static NDArray conv(Weights w, String prefix, NDArray x, int stride, int padding, int dilation, boolean bias) {
        NDArray weight = w.get(prefix + ".weight");
        NDArray b = bias ? w.get(prefix + ".bias") : null;
        int kernel = (int) weight.getShape().get(2);
        if (kernel == 1 && stride > 1) {
            x = x.get(":, :, ::" + stride + ", ::" + stride);
            stride = 1;
        }
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        return Conv2d.conv2d(x, weight, b, s, p, new Shape(dilation, dilation), 1).singletonOrThrow();
    }

    /**
     * BatchNorm2d over channels. In training mode it normalises with batch statistics and updates
     * the running statistics in place (they are views into the encoder's flat buffer).
     */
    public static NDArray batchNorm(Weights w, String prefix, NDArray x, boolean training) {
        return JniUtils.batchNorm(
                (PtNDArray) x,
                (PtNDArray) w.get(prefix + ".running_mean"),
                (PtNDArray) w.get(prefix + ".running_var"),
                (PtNDArray) w.get(prefix + ".weight"),
                (PtNDArray) w.get(prefix + ".bias"),
                training,
                BN_MOMENTUM,
                BN_EPS);
    }

    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** conv -> BN (-> ReLU), the torchvision building block. */
    public static NDArray convBn(Weights w, String conv, String bn, NDArray x, int stride, int pad, boolean train, boolean relu) {
        return convBn(w, conv, bn, x, stride, pad, 1, train, relu);
    }

    /** conv (dilated) -> BN (-> ReLU). */
    public static NDArray convBn(Weights w, String conv, String bn, NDArray x, int stride, int pad, int dilation, boolean train, boolean relu) {
        NDArray y = batchNorm(w, bn, conv(w, conv, x, stride, pad, dilation, false), train);
        return relu ? relu(y) : y;
    }
}
