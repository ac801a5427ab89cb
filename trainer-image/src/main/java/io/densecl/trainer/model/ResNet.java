package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.Locale;

/**
 * A torchvision ResNet (v1.5: the stride sits on the 3x3 conv) without avgpool and fc: the
 * backbone of DenseCL. Parameter names and order match {@code torchvision.models.resnetXX()}.
 */
public final class ResNet {
    private static final int[] STRIDES = {1, 2, 2, 2};
    private final String arch;
    private final boolean bottleneck;
    private final int[] blocks;

    private ResNet(String arch, boolean bottleneck, int... blocks) {
        this.arch = arch;
        this.bottleneck = bottleneck;
        this.blocks = blocks;
    }

    /** resnet18, resnet34, resnet50 or resnet101. */
    public static ResNet of(String arch) {
        switch (arch.toLowerCase(Locale.ROOT)) {
            case "resnet18":
                return new ResNet("resnet18", false, 2, 2, 2, 2);
            case "resnet34":
                return new ResNet("resnet34", false, 3, 4, 6, 3);
            case "resnet50":
                return new ResNet("resnet50", true, 3, 4, 6, 3);
            case "resnet101":
                return new ResNet("resnet101", true, 3, 4, 23, 3);
            default:
                throw new IllegalArgumentException(
                        "unknown backbone '" + arch + "' (resnet18|resnet34|resnet50|resnet101)");
        }
    }

    public String arch() {
        return arch;
    }

    private int expansion() {
        return bottleneck ? 4 : 1;
    }

    /** Channels of the C5 feature map: 512 (18/34) or 2048 (50/101). */
    public int outChannels() {
        return 512 * expansion();
    }

    /** Declares every tensor under {@code prefix} in torchvision order. */
    public void declare(ParameterLayout layout, String prefix) {
        layout.conv(prefix + "conv1", 3, 64, 7, false);
        layout.batchNorm(prefix + "bn1", 64);
        int inplanes = 64;
        for (int l = 0; l < 4; l++) {
            int planes = 64 << l;
            for (int b = 0; b < blocks[l]; b++) {
                String p = prefix + "layer" + (l + 1) + "." + b + ".";
                int stride = b == 0 ? STRIDES[l] : 1;
                if (bottleneck) {
                    layout.conv(p + "conv1", inplanes, planes, 1, false);
                    layout.batchNorm(p + "bn1", planes);
                    layout.conv(p + "conv2", planes, planes, 3, false);
                    layout.batchNorm(p + "bn2", planes);
                    layout.conv(p + "conv3", planes, planes * 4, 1, false);
                    layout.batchNorm(p + "bn3", planes * 4);
                } else {
                    layout.conv(p + "conv1", inplanes, planes, 3, false);
                    layout.batchNorm(p + "bn1", planes);
                    layout.conv(p + "conv2", planes, planes, 3, false);
                    layout.batchNorm(p + "bn2", planes);
                }
                if (stride != 1 || inplanes != planes * expansion()) {
                    layout.conv(p + "downsample.0", inplanes, planes * expansion(), 1, false);
                    layout.batchNorm(p + "downsample.1", planes * expansion());
                }
                inplanes = planes * expansion();
            }
        }
    }

    /** im [N,3,H,W] -> C5 [N, C, H/32, W/32]. */
    public NDArray forward(Weights w, String prefix, NDArray im, boolean train) {
        return forward(w, prefix, im, train, 32, 1);
    }

    /** As {@link #forward(Weights, String, NDArray, boolean, int, int)} with one BatchNorm group. */
    public NDArray forward(Weights w, String prefix, NDArray im, boolean train, int outputStride) {
        return forward(w, prefix, im, train, outputStride, 1);
    }

    /**
     * im [N,3,H,W] -> C5 at output stride 32, or 8 (layer3/layer4 dilated instead of strided, as
     * torchvision's {@code replace_stride_with_dilation=[False, True, True]}: same weights). In training
     * mode every BatchNorm normalises {@code bnGroups} groups of the batch separately (see
     * {@link Layers#batchNorm(Weights, String, NDArray, boolean, int)}).
     */
    public NDArray forward(Weights w, String prefix, NDArray im, boolean train, int outputStride, int bnGroups) {
        NDArray[] stages = stages(w, prefix, im, train, outputStride, bnGroups);
        return stages[3];
    }

    /** The outputs of layer1..layer4 (C2..C5), e.g. C4 for an auxiliary segmentation head. */
    public NDArray[] stages(Weights w, String prefix, NDArray im, boolean train, int outputStride, int bnGroups) {
        NDArray[] out = new NDArray[4];
        NDArray x = Layers.convBn(w, prefix + "conv1", prefix + "bn1", im, 2, 3, 1, train, bnGroups, true);
        x = Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        int inplanes = 64;
        int dilation = 1;
        for (int l = 0; l < 4; l++) {
            int planes = 64 << l;
            int previousDilation = dilation;
            int layerStride = STRIDES[l];
            if (outputStride == 8 && l >= 2) {
                dilation *= layerStride;
                layerStride = 1;
            }
            for (int b = 0; b < blocks[l]; b++) {
                String p = prefix + "layer" + (l + 1) + "." + b + ".";
                int stride = b == 0 ? layerStride : 1;
                boolean down = b == 0 && (STRIDES[l] != 1 || inplanes != planes * expansion());
                x = block(w, p, x, stride, b == 0 ? previousDilation : dilation, down, train, bnGroups);
                inplanes = planes * expansion();
            }
            out[l] = x;
        }
        return out;
    }

    private NDArray block(Weights w, String p, NDArray x, int stride, int dil, boolean down, boolean train, int g) {
        NDArray out;
        if (bottleneck) {
            out = Layers.convBn(w, p + "conv1", p + "bn1", x, 1, 0, 1, train, g, true);
            out = Layers.convBn(w, p + "conv2", p + "bn2", out, stride, dil, dil, train, g, true);
            out = Layers.convBn(w, p + "conv3", p + "bn3", out, 1, 0, 1, train, g, false);
        } else {
            out = Layers.convBn(w, p + "conv1", p + "bn1", x, stride, dil, dil, train, g, true);
            out = Layers.convBn(w, p + "conv2", p + "bn2", out, 1, dil, dil, train, g, false);
        }
        NDArray identity =
                down ? Layers.convBn(w, p + "downsample.0", p + "downsample.1", x, stride, 0, 1, train, g, false) : x;
        return Layers.relu(out.addi(identity));
    }
}
