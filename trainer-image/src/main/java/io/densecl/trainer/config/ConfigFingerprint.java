package io.densecl.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.contract.Recipe;
import io.densecl.contract.RunConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of a configuration that decides the training trajectory (model, DenseCL, optimiser,
 * data order), its hash, and a field-by-field diff. Epochs may grow, and loader threads, device,
 * checkpoint cadence and ports may change without invalidating a checkpoint.
 */
public final class ConfigFingerprint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFingerprint() {}

    /** The trajectory fields by run.json path, as they read back from a checkpoint's trainer.json. */
    public static ObjectNode of(RunConfig c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("data.format", c.data.format.name());
        n.put("model.backbone", c.model.backbone.name());
        n.put("model.hid", c.model.hid);
        n.put("model.dim", c.model.dim);
        n.put("denseCL.queueSize", c.denseCL.queueSize);
        n.put("denseCL.momentum", c.denseCL.momentum);
        n.put("denseCL.temperature", c.denseCL.temperature);
        n.put("denseCL.lossLambda", c.denseCL.lossLambda);
        n.put("denseCL.lambdaWarmupIters", c.denseCL.lambdaWarmupIters);
        n.put("denseCL.bnGroupSize", c.denseCL.bnGroupSize);
        n.put("training.batchSize", c.training.batchSize);
        n.put("training.lr", Recipe.lr(c.training)); // the value trained with, whether set or the recipe's
        n.put("training.momentum", c.training.momentum);
        n.put("training.weightDecay", c.training.weightDecay);
        n.put("training.schedule", c.training.schedule.name());
        n.put("training.seed", c.training.seed);
        n.put("training.imageSize", c.training.imageSize);
        n.put("training.maxStepsPerEpoch", c.training.maxStepsPerEpoch);
        return n;
    }

    public static String hash(JsonNode fingerprint) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(JSON.writeValueAsString(fingerprint).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) sb.append(String.format("%02x", d[i]));
            return sb.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Human-readable differences, e.g. {@code training.batchSize: 32 -> 64}. Values are compared as JSON
     * text: a long built in memory and the int it reads back as are the same value.
     */
    public static List<String> diff(JsonNode before, JsonNode now) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = before.get(f.getKey());
            if (old == null || !text(old).equals(text(f.getValue()))) {
                out.add(f.getKey() + ": " + (old == null ? "(absent)" : old.asText()) + " -> "
                        + f.getValue().asText());
            }
        }
        return out;
    }

    private static String text(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
