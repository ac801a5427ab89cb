package io.densecl.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every MoCo v2 augmentation op against PIL 9.4 / torchvision 0.14 on crops of a real photograph
 * (fixtures: src/test/resources/pil-parity, written by src/test/python/make_pil_parity_fixtures.py).
 * The tolerances below are what each op meets: the maximum absolute difference in 8-bit levels over
 * every pixel of every case (0 = bit for bit).
 */
class PilParityTest {
    /** Per op: the largest difference allowed, in 8-bit levels. */
    static final Map<String, Integer> TOLERANCE = Map.of(
            "resizedCrop",
            0,
            "brightness",
            0,
            "contrast",
            0,
            "saturation",
            0,
            "hue",
            0,
            "grayscale",
            0,
            "blur",
            0,
            "flip",
            0);

    static Path dir;
    static JsonNode cases;

    @BeforeAll
    static void load() throws Exception {
        dir = Paths.get(PilParityTest.class
                        .getResource("/pil-parity/cases.json")
                        .toURI())
                .getParent();
        cases = new ObjectMapper().readTree(dir.resolve("cases.json").toFile());
    }

    @Test
    void everyOpMatchesPilOnRealImages() throws IOException {
        Map<String, int[]> worst = new LinkedHashMap<>(); // op -> {max diff, differing values, cases}
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases.get("cases")) {
            String op = c.get("op").asText();
            RgbImage in = png(c.get("input").asText());
            RgbImage want = png(c.get("output").asText());
            byte[][] got = apply(op, c, in);
            byte[][] ref = planar(want);
            assertThat(got[0].length).as(c.get("output").asText() + " size").isEqualTo(ref[0].length);
            int max = 0;
            int differing = 0;
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < ref[ch].length; i++) {
                    int d = Math.abs((got[ch][i] & 0xFF) - (ref[ch][i] & 0xFF));
                    max = Math.max(max, d);
                    if (d != 0) differing++;
                }
            }
            int[] w = worst.computeIfAbsent(op, k -> new int[3]);
            w[0] = Math.max(w[0], max);
            w[1] += differing;
            w[2]++;
            if (max > TOLERANCE.get(op)) {
                failures.add(String.format(
                        Locale.ROOT,
                        "%s %s: max difference %d levels (%d values differ) > %d",
                        op,
                        c.get("output").asText(),
                        max,
                        differing,
                        TOLERANCE.get(op)));
            }
        }
        worst.forEach((op, w) -> System.out.printf(
                Locale.ROOT, "pil-parity %-12s %2d cases, max diff %d, %d differing values%n", op, w[2], w[0], w[1]));
        assertThat(worst.keySet()).containsExactlyInAnyOrderElementsOf(TOLERANCE.keySet());
        assertThat(failures).isEmpty();
    }

    @Test
    void toTensorAndNormalizeMatchTorchvisionBitForBit() throws IOException {
        RgbImage in = png("in-medals.png");
        float[] got = new float[3 * in.width() * in.height()];
        ImageOps.normalise(planar(in), ImageOps.normalisation(MocoV2Augment.MEAN, MocoV2Augment.STD), got, 0);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("normalised-medals.f32")))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] want = new float[got.length];
        b.asFloatBuffer().get(want);
        assertThat(java.util.Arrays.mismatch(got, want))
                .as("first differing element")
                .isEqualTo(-1);
    }

    @Test
    void randomResizedCropGeometryMatchesTorchvisionGetParams() {
        int fallbacks = 0;
        for (JsonNode c : cases.get("randomResizedCrop")) {
            int w = c.get("width").asInt();
            int h = c.get("height").asInt();
            int[] wh = null;
            for (JsonNode a : c.get("attempts")) {
                wh = MocoV2Augment.cropSize(w, h, a.get(0).asDouble(), a.get(1).asDouble());
                if (wh != null) break;
            }
            if (wh == null) {
                wh = MocoV2Augment.fallbackSize(w, h);
                fallbacks++;
                assertThat(new int[] {(w - wh[0]) / 2, (h - wh[1]) / 2})
                        .as("fallback is centred")
                        .containsExactly(c.get("left").asInt(), c.get("top").asInt());
            }
            assertThat(wh)
                    .as(c.toString())
                    .containsExactly(
                            c.get("cropWidth").asInt(), c.get("cropHeight").asInt());
        }
        assertThat(fallbacks).as("cases that exercise the fallback").isPositive();
    }

    static byte[][] apply(String op, JsonNode c, RgbImage in) {
        if (op.equals("resizedCrop")) {
            return ImageOps.cropResizeRect(
                    in,
                    c.get("left").asInt(),
                    c.get("top").asInt(),
                    c.get("width").asInt(),
                    c.get("height").asInt(),
                    c.get("size").asInt(),
                    c.get("size").asInt());
        }
        byte[][] img = planar(in);
        switch (op) {
            case "brightness" -> ImageOps.brightness(img, c.get("factor").asDouble());
            case "contrast" -> ImageOps.contrast(img, c.get("factor").asDouble());
            case "saturation" -> ImageOps.saturation(img, c.get("factor").asDouble());
            case "hue" -> ImageOps.hue(img, c.get("factor").asDouble());
            case "grayscale" -> ImageOps.grayscale(img);
            case "blur" ->
                PilBlur.gaussian(img, in.width(), in.height(), c.get("sigma").asDouble());
            case "flip" -> ImageOps.flipHorizontal(img, in.width(), in.height());
            default -> throw new IllegalArgumentException(op);
        }
        return img;
    }

    static byte[][] planar(RgbImage im) {
        int n = im.width() * im.height();
        byte[][] p = new byte[3][n];
        for (int i = 0; i < n; i++) for (int c = 0; c < 3; c++) p[c][i] = im.rgb()[i * 3 + c];
        return p;
    }

    static RgbImage png(String name) throws IOException {
        BufferedImage b = javax.imageio.ImageIO.read(dir.resolve(name).toFile());
        byte[] rgb = new byte[b.getWidth() * b.getHeight() * 3];
        for (int y = 0; y < b.getHeight(); y++) {
            for (int x = 0; x < b.getWidth(); x++) {
                int v = b.getRGB(x, y);
                int o = (y * b.getWidth() + x) * 3;
                rgb[o] = (byte) (v >> 16);
                rgb[o + 1] = (byte) (v >> 8);
                rgb[o + 2] = (byte) v;
            }
        }
        return new RgbImage(b.getWidth(), b.getHeight(), rgb);
    }
}
