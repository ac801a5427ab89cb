package io.densecl.contract;

/** Layouts of a training data set the trainer reads; the CRD's data.format enum. */
public enum DataFormat {
    /** A folder of images, searched recursively (JPEG, PNG, BMP). */
    imageFolder,
    /** A text file with one image path per line, relative paths resolved against the file's folder. */
    list
}
