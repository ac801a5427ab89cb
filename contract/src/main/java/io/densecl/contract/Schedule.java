package io.densecl.contract;

/** Learning-rate schedules the trainer implements; the CRD's training.schedule enum. */
public enum Schedule {
    /** Half-cosine per epoch from the scaled base rate to 0. */
    cosine,
    /** The scaled base rate throughout. */
    constant
}
