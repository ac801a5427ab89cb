package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;

/**
 * A DenseCL encoder: torchvision ResNet backbone ({@code backbone.*}) followed by the DenseCL neck
 * ({@code neck.*}). Query and key encoders share this structure; each has its own {@link FlatState}.
 */
public final class Encoder {
    public static final String BACKBONE = "backbone.";
    public static final String NECK = "neck.";
    private final ResNet backbone;
    private final DenseNeck neck;
    private final ParameterLayout layout = new ParameterLayout();

    public Encoder(String arch, int hid, int dim) {
        this.backbone = ResNet.of(arch);
        this.neck = new DenseNeck(backbone.outChannels(), hid, dim);
        backbone.declare(layout, BACKBONE);
        neck.declare(layout, NECK);
    }

    public ParameterLayout layout() {
        return layout;
    }

    public ResNet backbone() {
        return backbone;
    }

    public int dim() {
        return neck.dim();
    }

    /** Everything one encoder pass yields (nothing normalised). */
    public record Output(NDArray c5, DenseNeck.Output neck) {}

    /** Backbone then neck; BatchNorm in training mode (batch statistics) as in the official code. */
    public Output forward(Weights w, NDArray images) {
        return forward(w, images, 1);
    }

    /** As above with every BatchNorm normalising {@code bnGroups} groups of the batch separately (Shuffle BN). */
    public Output forward(Weights w, NDArray images, int bnGroups) {
        NDArray c5 = backbone.forward(w, BACKBONE, images, true, 32, bnGroups);
        return new Output(c5, neck.forward(w, NECK, c5));
    }
}
