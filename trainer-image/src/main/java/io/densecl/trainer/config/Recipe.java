package io.densecl.trainer.config;

import java.util.Map;

/**
 * The official DenseCL recipes by name: {@code imagenet} (lr 0.03 per 256 images, 200 epochs) and
 * {@code coco} (lr 0.3 per 256, 800 epochs). A recipe only supplies values the configuration leaves
 * unset; an explicit {@code training.lr} or {@code training.epochs} (file or flag) always wins.
 */
public record Recipe(String name, double lr, int epochs) {
    public static final String DEFAULT = "imagenet";
    private static final Map<String, Recipe> ALL = Map.of(
            "imagenet", new Recipe("imagenet", 0.03, 200),
            "coco", new Recipe("coco", 0.3, 800));

    /** The named recipe; an unknown name is a config error on {@code training.recipe}. */
    public static Recipe named(String name) {
        Recipe r = name == null ? ALL.get(DEFAULT) : ALL.get(name);
        if (r == null) {
            throw new ConfigException("training.recipe", "must be imagenet or coco, got '" + name + "'");
        }
        return r;
    }

    /** Sets {@code training.lr} and {@code training.epochs} from the recipe where they are null. */
    public static RunConfig resolve(RunConfig c) {
        Recipe r = named(c.training.recipe);
        c.training.recipe = r.name();
        if (c.training.lr == null) c.training.lr = r.lr();
        if (c.training.epochs == null) c.training.epochs = r.epochs();
        return c;
    }
}
