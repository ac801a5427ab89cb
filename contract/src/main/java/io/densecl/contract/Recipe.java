package io.densecl.contract;

/**
 * The official DenseCL recipes ({@code training.recipe}; the CRD's enum): the learning rate per 256 images
 * and the epochs a run takes where its configuration sets none. An explicit {@code training.lr} or
 * {@code training.epochs} (run.json, the spec or a trainer flag) always wins over the recipe.
 */
public enum Recipe {
    /** ImageNet-1k: lr 0.03 per 256 images, 200 epochs (the paper's main setting). */
    imagenet(0.03, 200),
    /** COCO train2017: lr 0.3 per 256 images, 800 epochs. */
    coco(0.3, 800);

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

    /** The recipe {@code t} names, or {@link #DEFAULT} when it names none. */
    public static Recipe of(RunConfig.Training t) {
        return t.recipe == null ? DEFAULT : t.recipe;
    }

    /** The learning rate {@code t} trains with: its own, else its recipe's. */
    public static double lr(RunConfig.Training t) {
        return t.lr != null ? t.lr : of(t).lr;
    }

    /** The epochs {@code t} trains for: its own, else its recipe's. */
    public static int epochs(RunConfig.Training t) {
        return t.epochs != null ? t.epochs : of(t).epochs;
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
