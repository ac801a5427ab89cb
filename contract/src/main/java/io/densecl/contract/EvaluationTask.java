package io.densecl.contract;

/** Downstream tasks of {@code densecl-trainer evaluate --task}; the CRD's evaluations[].type enum. */
public enum EvaluationTask {
    /** Fine-tune a segmentation head (VOC layout); metrics mIoU, pixelAccuracy. */
    segmentation,
    /** Linear probe on frozen features (image folders train/ and val/); metrics top1, top5. */
    linear,
    /** Weighted k-NN on frozen features; metric top1. */
    knn
}
