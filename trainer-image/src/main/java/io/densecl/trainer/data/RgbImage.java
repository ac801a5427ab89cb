package io.densecl.trainer.data;

/** A decoded image: 8-bit RGB, interleaved row-major ({@code rgb[(y*w + x)*3 + c]}). */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb length " + rgb.length + " != " + width + "x" + height + "x3");
        }
    }

    public int at(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
