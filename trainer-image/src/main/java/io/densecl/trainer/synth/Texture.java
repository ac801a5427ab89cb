package io.densecl.trainer.synth;

import io.densecl.trainer.util.SplitMix64;
import java.awt.Color;

/** A procedural texture: stripes, checkers, dots or smooth noise in two colours. */
final class Texture {
    private final int kind;
    private final int a;
    private final int b;
    private final double period;
    private final double angle;
    private final long noiseKey;

    private Texture(int kind, int a, int b, double period, double angle, long noiseKey) {
        this.kind = kind;
        this.a = a;
        this.b = b;
        this.period = period;
        this.angle = angle;
        this.noiseKey = noiseKey;
    }

    /** Objects of class c share a hue family and a texture kind, with random variation. */
    static Texture forClass(int c, int classes, SplitMix64 rng) {
        float hue = (float) ((c - 1.0) / classes + rng.uniform(-0.03, 0.03));
        int a = Color.HSBtoRGB(hue, (float) rng.uniform(0.6, 1.0), (float) rng.uniform(0.6, 1.0));
        int b = Color.HSBtoRGB(hue, (float) rng.uniform(0.2, 0.5), (float) rng.uniform(0.2, 0.5));
        return new Texture((c - 1) / 4 % 4, a, b, rng.uniform(3, 8), rng.uniform(0, Math.PI), rng.nextLong());
    }

    /** Low-saturation backgrounds of any texture kind. */
    static Texture background(SplitMix64 rng) {
        float hue = (float) rng.nextDouble();
        int a = Color.HSBtoRGB(hue, (float) rng.uniform(0.0, 0.3), (float) rng.uniform(0.4, 0.9));
        int b = Color.HSBtoRGB((hue + 0.5f) % 1f, (float) rng.uniform(0.0, 0.3), (float) rng.uniform(0.2, 0.7));
        return new Texture(rng.nextInt(4), a, b, rng.uniform(6, 20), rng.uniform(0, Math.PI), rng.nextLong());
    }

    int color(int x, int y) {
        double u = x * Math.cos(angle) + y * Math.sin(angle);
        double v = -x * Math.sin(angle) + y * Math.cos(angle);
        double t;
        switch (kind) {
            case 0 -> t = Math.floorMod((long) Math.floor(u / period), 2L);
            case 1 ->
                t = (Math.floorMod((long) Math.floor(u / period), 2L)
                                + Math.floorMod((long) Math.floor(v / period), 2L))
                        % 2;
            case 2 -> {
                double du = u / period - Math.floor(u / period) - 0.5;
                double dv = v / period - Math.floor(v / period) - 0.5;
                t = du * du + dv * dv < 0.09 ? 1 : 0;
            }
            default -> t = smoothNoise(x / period, y / period);
        }
        return mix(a, b, t);
    }

    private double smoothNoise(double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        double v00 = lattice(x0, y0),
                v10 = lattice(x0 + 1, y0),
                v01 = lattice(x0, y0 + 1),
                v11 = lattice(x0 + 1, y0 + 1);
        double sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
        return (v00 * (1 - sx) + v10 * sx) * (1 - sy) + (v01 * (1 - sx) + v11 * sx) * sy;
    }

    private double lattice(int x, int y) {
        return SplitMix64.of(noiseKey, x, y).nextDouble();
    }

    private static int mix(int a, int b, double t) {
        int r = (int) (((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = (int) (((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = (int) ((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (g << 8) | bl;
    }
}
