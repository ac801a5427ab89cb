package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Limits;
import io.densecl.contract.Recipe;
import io.densecl.contract.Schedule;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Optimiser and data-loading settings; everything except epochs is immutable, and epochs may only grow. lr and epochs
 * may be left unset: the recipe's apply ({@link Recipe}); the transition rules compare those resolved values, so an
 * unset old value counts as the recipe's.
 */
@JsonClassDescription(
        "Optimiser and data-loading settings; everything except epochs is immutable, and epochs may only grow.")
@JsonInclude(JsonInclude.Include.NON_NULL)
// the short-circuit keeps the product far from int64 overflow (imageSize <= 2048 and batchSize < 2^31)
@ValidationRule(
        value = "self.imageSize > " + Limits.MAX_IMAGE_SIZE
                + " || 3 * self.imageSize * self.imageSize * self.batchSize <= " + Limits.MAX_TENSOR_VALUES,
        message =
                "spec.training: 3 x imageSize^2 x batchSize must be at most 2^31-1 (one view of a batch is one host array)")
@ValidationRule(
        value = TrainingSpec.EPOCHS_OF_SELF + " >= " + TrainingSpec.EPOCHS_OF_OLD_SELF,
        message = "spec.training.epochs may only grow",
        fieldPath = ".epochs")
@ValidationRule(
        value = TrainingSpec.LR_OF_SELF + " == " + TrainingSpec.LR_OF_OLD_SELF,
        message = "spec.training.lr is immutable",
        fieldPath = ".lr")
public class TrainingSpec {

    // CEL for "the value set, else the recipe's" (recipe is defaulted, so always present on stored objects)
    static final String EPOCHS_OF_SELF = "(has(self.epochs) ? self.epochs : self.recipe == 'coco' ? "
            + Recipe.COCO_EPOCHS + " : " + Recipe.IMAGENET_EPOCHS + ")";
    static final String EPOCHS_OF_OLD_SELF = "(has(oldSelf.epochs) ? oldSelf.epochs : oldSelf.recipe == 'coco' ? "
            + Recipe.COCO_EPOCHS + " : " + Recipe.IMAGENET_EPOCHS + ")";
    static final String LR_OF_SELF =
            "(has(self.lr) ? self.lr : self.recipe == 'coco' ? " + Recipe.COCO_LR + " : " + Recipe.IMAGENET_LR + ")";
    static final String LR_OF_OLD_SELF = "(has(oldSelf.lr) ? oldSelf.lr : oldSelf.recipe == 'coco' ? " + Recipe.COCO_LR
            + " : " + Recipe.IMAGENET_LR + ")";

    /** The official recipe whose lr and epochs apply where they are unset: imagenet (0.03, 200) or coco (0.3, 800). */
    @JsonPropertyDescription(
            "The official recipe whose lr and epochs apply where they are unset: imagenet (lr 0.03, 200 epochs) "
                    + "or coco (lr 0.3, 800 epochs).")
    @Default("imagenet")
    @ValidationRule(value = "self == oldSelf", message = "spec.training.recipe is immutable")
    public Recipe recipe = Recipe.DEFAULT;

    /** Number of epochs to train (unset: the recipe's); may be increased later to continue training. */
    @JsonPropertyDescription(
            "Number of epochs to train; unset means the recipe's (imagenet 200, coco 800). May be increased "
                    + "later to continue training.")
    @Min(1)
    public Integer epochs;

    /** Images per optimiser step. */
    @JsonPropertyDescription("Images per optimiser step.")
    @Default("256")
    @Min(1)
    @ValidationRule(value = "self == oldSelf", message = "spec.training.batchSize is immutable")
    public Integer batchSize = 256;

    /** Base learning rate per 256 images, scaled linearly with the batch size; in (0, 10]; unset: the recipe's. */
    @JsonPropertyDescription(
            "Base learning rate per 256 images, scaled linearly with the batch size; in (0, 10]. Unset means "
                    + "the recipe's (imagenet 0.03, coco 0.3).")
    @ValidationRule(
            value = "self > 0.0 && self <= " + Limits.MAX_LR,
            message = "spec.training.lr must be in (0, " + Limits.MAX_LR + "]")
    public Double lr;

    /** SGD momentum, in [0, 1). */
    @JsonPropertyDescription("SGD momentum, in [0, 1).")
    @Default("0.9")
    @ValidationRule(value = "self >= 0.0 && self < 1.0", message = "spec.training.momentum must be in [0, 1)")
    @ValidationRule(value = "self == oldSelf", message = "spec.training.momentum is immutable")
    public Double momentum = 0.9;

    /** SGD weight decay, applied to every parameter; in [0, 0.1]. */
    @JsonPropertyDescription("SGD weight decay, applied to every parameter; in [0, 0.1].")
    @Default("0.0001")
    @ValidationRule(
            value = "self >= 0.0 && self <= " + Limits.MAX_WEIGHT_DECAY,
            message = "spec.training.weightDecay must be in [0, " + Limits.MAX_WEIGHT_DECAY + "]")
    @ValidationRule(value = "self == oldSelf", message = "spec.training.weightDecay is immutable")
    public Double weightDecay = 0.0001;

    /** Learning-rate schedule: cosine (per epoch, to 0) or constant. */
    @JsonPropertyDescription("Learning-rate schedule: cosine (per epoch, to 0) or constant.")
    @Default("cosine")
    @ValidationRule(value = "self == oldSelf", message = "spec.training.schedule is immutable")
    public Schedule schedule = Schedule.cosine;

    /** Seed of the data order, augmentations and initial weights. */
    @JsonPropertyDescription("Seed of the data order, augmentations and initial weights.")
    @Default("0")
    @ValidationRule(value = "self == oldSelf", message = "spec.training.seed is immutable")
    public Long seed = 0L;

    /** Side length in pixels of the random crops; a multiple of 32 in [32, 2048]. */
    @JsonPropertyDescription("Side length in pixels of the random crops; a multiple of 32 in [32, 2048].")
    @Default("224")
    @Min(Limits.MIN_IMAGE_SIZE)
    @Max(Limits.MAX_IMAGE_SIZE)
    @ValidationRule(
            value = "self % " + Limits.IMAGE_SIZE_MULTIPLE + " == 0",
            message = "spec.training.imageSize must be a multiple of " + Limits.IMAGE_SIZE_MULTIPLE)
    @ValidationRule(value = "self == oldSelf", message = "spec.training.imageSize is immutable")
    public Integer imageSize = 224;

    /** Data-loading worker threads; 1 to 256. */
    @JsonPropertyDescription("Data-loading worker threads; 1 to 256.")
    @Default("8")
    @Min(Limits.MIN_WORKERS)
    @Max(Limits.MAX_WORKERS)
    @ValidationRule(value = "self == oldSelf", message = "spec.training.workers is immutable")
    public Integer workers = 8;

    /** Cap on optimiser steps per epoch for smoke runs; 0 means a full pass over the data. */
    @JsonPropertyDescription("Cap on optimiser steps per epoch for smoke runs; 0 means a full pass over the data.")
    @Default("0")
    @Min(0)
    @ValidationRule(value = "self == oldSelf", message = "spec.training.maxStepsPerEpoch is immutable")
    public Integer maxStepsPerEpoch = 0;
}
