package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
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
    private static final NDIndex ALL = new NDIndex(":");

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
    public static NDArray conv(
            Weights w, String prefix, NDArray x, int stride, int padding, int dilation, boolean bias) {
        NDArray weight = w.get(prefix + ".weight");
        NDArray b = bias ? w.get(prefix + ".bias") : null;
        int kernel = (int) weight.getShape().get(2);
        if (kernel == 1 && stride > 1) {
            x = x.get(":, :, ::" + stride + ", ::" + stride);
            stride = 1;
        }
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        return Conv2d.conv2d(x, weight, b, s, p, new Shape(dilation, dilation), 1)
                .singletonOrThrow();
    }

    /**
     * BatchNorm2d over channels. In training mode it normalises with batch statistics and updates
     * the running statistics in place (they are views into the encoder's flat buffer).
     */
    public static NDArray batchNorm(Weights w, String prefix, NDArray x, boolean training) {
        return batchNorm(w, prefix, x, training, 1);
    }

    /**
     * BatchNorm2d with the batch split into {@code groups} groups that are normalised separately
     * (MoCo's SplitBatchNorm, the single-device stand-in for one BatchNorm per GPU): sample n is in
     * group n mod G, because [N,C,H,W] is viewed as [N/G, G*C, H, W]; weight and bias are shared (tiled,
     * so their gradients sum over groups); each group updates its own copy of the running statistics
     * and the stored statistics become their mean. All device-side: no value comes back to the host.
     * Evaluation mode and G = 1 are the plain BatchNorm2d.
     */
    public static NDArray batchNorm(Weights w, String prefix, NDArray x, boolean training, int groups) {
        NDArray runningMean = w.get(prefix + ".running_mean");
        NDArray runningVar = w.get(prefix + ".running_var");
        if (!training || groups == 1) {
            return JniUtils.batchNorm(
                    (PtNDArray) x,
                    (PtNDArray) runningMean,
                    (PtNDArray) runningVar,
                    (PtNDArray) w.get(prefix + ".weight"),
                    (PtNDArray) w.get(prefix + ".bias"),
                    training,
                    BN_MOMENTUM,
                    BN_EPS);
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        if (n % groups != 0) {
            throw new IllegalArgumentException(
                    "batch of " + n + " cannot be split into " + groups + " BatchNorm groups");
        }
        NDArray meanPerGroup = runningMean.tile(groups); // [G*C], group g's statistics at g*C..g*C+C-1
        NDArray varPerGroup = runningVar.tile(groups);
        NDArray y = JniUtils.batchNorm(
                (PtNDArray) x.reshape(n / groups, groups * c, s.get(2), s.get(3)),
                (PtNDArray) meanPerGroup,
                (PtNDArray) varPerGroup,
                (PtNDArray) w.get(prefix + ".weight").tile(groups),
                (PtNDArray) w.get(prefix + ".bias").tile(groups),
                true,
                BN_MOMENTUM,
                BN_EPS);
        runningMean.set(ALL, meanPerGroup.reshape(groups, c).mean(new int[] {0}));
        runningVar.set(ALL, varPerGroup.reshape(groups, c).mean(new int[] {0}));
        return y.reshape(s);
    }

    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** conv -> BN (-> ReLU), the torchvision building block. */
    public static NDArray convBn(
            Weights w, String conv, String bn, NDArray x, int stride, int pad, boolean train, boolean relu) {
        return convBn(w, conv, bn, x, stride, pad, 1, train, 1, relu);
    }

    /** conv (dilated) -> BN in {@code bnGroups} groups (-> ReLU). */
    public static NDArray convBn(
            Weights w,
            String conv,
            String bn,
            NDArray x,
            int stride,
            int pad,
            int dilation,
            boolean train,
            int bnGroups,
            boolean relu) {
        NDArray y = batchNorm(w, bn, conv(w, conv, x, stride, pad, dilation, false), train, bnGroups);
        return relu ? relu(y) : y;
    }
}
