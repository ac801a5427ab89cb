package io.densecl.trainer.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a run configuration from JSON or YAML; a malformed file or a wrongly typed field is a config error. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static RunConfig load(Path file) {
        if (file == null) {
            return new RunConfig();
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("--config", "file '" + file + "' does not exist");
        }
        String name = file.getFileName().toString();
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        mapper.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
        try {
            return mapper.readValue(file.toFile(), RunConfig.class);
        } catch (InvalidFormatException e) {
            throw new ConfigException(path(e), "invalid value " + e.getValue() + " (" + e.getOriginalMessage().split("\n")[0] + ")");
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new ConfigException(path(e), e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot parse " + file + ": " + e.getMessage().split("\n")[0]);
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (sb.length() > 0) sb.append('.');
            sb.append(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        return sb.length() == 0 ? "--config" : sb.toString();
    }
}
