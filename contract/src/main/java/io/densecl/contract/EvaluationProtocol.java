package io.densecl.contract;

/** Settings families of {@code densecl-trainer evaluate --protocol}; the CRD's evaluations[].protocol enum. */
public enum EvaluationProtocol {
    /** Small CPU-sized settings (96 px crops, output stride 32, a few epochs): a quick comparison between runs. */
    quick,
    /** The DenseCL paper's transfer settings (FCN at output stride 8 on VOC12aug, MoCo's linear protocol, kNN 256/224). */
    paper
}
