package io.densecl.trainer.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.densecl.contract.ConfigException;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a run configuration from JSON or YAML, strictly (docs/contract.md): an unknown key, a wrongly typed
 * value, a duplicate key or trailing content is a config error naming the key.
 */
public final class ConfigLoader {
    /** How errors about the file as a whole are named. */
    static final String SOURCE = "--config";

    private ConfigLoader() {}

    /** The configuration in {@code file}; without a file, the defaults (flags fill in the rest). */
    public static RunConfig load(Path file) {
        if (file == null) {
            return new RunConfig();
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(SOURCE, "file '" + file + "' does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return RunConfigJson.read(RunConfigJson.strict(mapperFor(file)), in, SOURCE);
        } catch (IOException e) {
            throw new ConfigException(SOURCE, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * The {@code terminationLog} a file asks for even when the file is otherwise invalid, so that the error
     * about it reaches the configured log; empty when the file has none or cannot be parsed at all.
     */
    public static Optional<String> terminationLog(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode log = mapperFor(file).readTree(file.toFile()).path("terminationLog");
            return log.isTextual() ? Optional.of(log.asText()) : Optional.empty();
        } catch (IOException | RuntimeException unparsable) {
            return Optional.empty();
        }
    }

    private static ObjectMapper mapperFor(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml")
                ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
    }
}
