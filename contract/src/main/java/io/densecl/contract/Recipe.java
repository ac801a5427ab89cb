package io.densecl.contract;

/**
 * The official DenseCL recipes ({@code training.recipe}; the CRD's enum): the learning rate per 256 images
 * and the epochs a run takes where its configuration sets none. An explicit {@code training.lr} or
 * {@code training.epochs} (run.json, the spec or a trainer flag) always wins over the recipe. The numbers are
 * also constants so that the CRD's CEL rules (annotation values) can be built from them.
 */
public enum Recipe {
    /** ImageNet-1k: lr 0.03 per 256 images, 200 epochs (the paper's main setting). */
    imagenet(Recipe.IMAGENET_LR, Recipe.IMAGENET_EPOCHS),
    /** COCO train2017: lr 0.3 per 256 images, 800 epochs. */
    coco(Recipe.COCO_LR, Recipe.COCO_EPOCHS);

    public static final double IMAGENET_LR = 0.03;
    public static final int IMAGENET_EPOCHS = 200;
    public static final double COCO_LR = 0.3;
    public static final int COCO_EPOCHS = 800;
    /** The recipe of a configuration that names none. */
    public static final Recipe DEFAULT = imagenet;

    private final double lr;
    private final int epochs;

    Recipe(double lr, int epochs) {
        this.lr = lr;
        this.epochs = epochs;
    }

    /** Base learning rate per 256 images. */
    public double lr() {
        return lr;
    }

    /** Training epochs. */
    public int epochs() {
        return epochs;
    }

    /** {@code configured} if set, else this recipe's learning rate. */
    public double lrOr(Double configured) {
        return configured != null ? configured : lr;
    }

    /** {@code configured} if set, else this recipe's epochs. */
    public int epochsOr(Integer configured) {
        return configured != null ? configured : epochs;
    }

    /** {@code named}, or {@link #DEFAULT} when null. */
    public static Recipe orDefault(Recipe named) {
        return named == null ? DEFAULT : named;
    }

    /** The learning rate {@code t} trains with: its own, else its recipe's. */
    public static double lr(RunConfig.Training t) {
        return orDefault(t.recipe).lrOr(t.lr);
    }

    /** The epochs {@code t} trains for: its own, else its recipe's. */
    public static int epochs(RunConfig.Training t) {
        return orDefault(t.recipe).epochsOr(t.epochs);
    }

    /**
     * Fills {@code training.lr} and {@code training.epochs} from the recipe where they are null, so the rest of
     * the trainer reads plain numbers; returns {@code c}. A null recipe is left for the validator to name.
     */
    public static RunConfig resolve(RunConfig c) {
        if (c.training != null && c.training.recipe != null) {
            c.training.lr = lr(c.training);
            c.training.epochs = epochs(c.training);
        }
        return c;
    }
}
