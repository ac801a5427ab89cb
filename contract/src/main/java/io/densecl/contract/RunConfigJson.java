package io.densecl.contract;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes {@code run.json}. Reading is strict: an unknown or misspelled key, a fraction where an
 * integer belongs, a string where a number belongs, a duplicate key or anything after the document is a
 * {@link ConfigException} naming the key, because a silently ignored setting trains the wrong model.
 */
public final class RunConfigJson {

    private static final ObjectMapper JSON = strict(new ObjectMapper());
    private static final ObjectMapper WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunConfigJson() {}

    /** Configures {@code mapper} (JSON or YAML) to read run configurations strictly; returns it. */
    public static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS,
                DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType numeric : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(numeric)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** Parses a JSON document strictly. */
    public static RunConfig read(String json) {
        try {
            return JSON.readValue(json, RunConfig.class);
        } catch (JsonProcessingException e) {
            throw translate(e, "run.json");
        }
    }

    /**
     * Parses a document with a mapper configured by {@link #strict}; {@code source} names the document in
     * errors that concern it as a whole (syntax, trailing content), e.g. {@code --config}.
     */
    public static RunConfig read(ObjectMapper strictMapper, InputStream in, String source) {
        try {
            return strictMapper.readValue(in, RunConfig.class);
        } catch (IOException e) {
            throw translate(e, source);
        }
    }

    /** The run.json text of {@code c} (indented, one trailing newline). */
    public static String write(RunConfig c) {
        try {
            return WRITER.writeValueAsString(c) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render run.json", e);
        }
    }

    /** A Jackson failure as a config error naming the key at fault. */
    static ConfigException translate(IOException e, String source) {
        if (e instanceof UnrecognizedPropertyException u) {
            String key = u.getPropertyName();
            return new ConfigException(
                    path(u, source), "unknown key '" + key + "'" + suggestion(key, u.getKnownPropertyIds()));
        }
        if (e instanceof InvalidNullException n) {
            return new ConfigException(path(n, source), "must not be null");
        }
        if (e instanceof InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            return new ConfigException(
                    path(f, source),
                    "'" + f.getValue() + "' is not one of "
                            + List.of(f.getTargetType().getEnumConstants()));
        }
        if (e instanceof MismatchedInputException m
                && m.getPath().isEmpty()
                && m.getMessage().startsWith("Trailing token")) {
            return new ConfigException(
                    source,
                    "unexpected content after the end of the document (" + firstLine(m.getOriginalMessage()) + ")");
        }
        String at = e instanceof JsonProcessingException p && p.getProcessor() instanceof JsonParser parser
                ? path(parser.getParsingContext())
                : "";
        if (e instanceof JsonProcessingException p
                && firstLine(p.getOriginalMessage()).startsWith("Duplicate field")) {
            return new ConfigException(at.isEmpty() ? source : at, "duplicate key");
        }
        if (e instanceof JsonMappingException m) {
            String what = m instanceof MismatchedInputException mi && mi.getTargetType() != null
                    ? "expected " + typeName(mi.getTargetType()) + ": "
                    : "";
            return new ConfigException(path(m, source), what + firstLine(m.getOriginalMessage()));
        }
        if (e instanceof JsonParseException p) {
            return new ConfigException(
                    source,
                    "cannot parse " + source + ": " + firstLine(p.getOriginalMessage())
                            + (p.getLocation() == null
                                    ? ""
                                    : " at line " + p.getLocation().getLineNr())
                            + (at.isEmpty() ? "" : " (inside '" + at + "')"));
        }
        return new ConfigException(source, "cannot read " + source + ": " + firstLine(String.valueOf(e.getMessage())));
    }

    private static String path(JsonMappingException e, String source) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? source : sb.toString();
    }

    private static String path(JsonStreamContext context) {
        List<String> names = new ArrayList<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.getCurrentName() != null) {
                names.add(0, c.getCurrentName());
            }
        }
        return String.join(".", names);
    }

    /** ", did you mean 'batchSize'?" for a key that differs from a known one only in case, '_' / '-' or 2 edits. */
    static String suggestion(String key, Collection<Object> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Object k : known) {
            String candidate = String.valueOf(k);
            int d = normalised(candidate).equals(normalised(key))
                    ? 0
                    : distance(candidate.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        List<String> names = known.stream().map(String::valueOf).sorted().toList();
        return (best != null && bestDistance <= 2 ? ", did you mean '" + best + "'?" : "") + " (known keys: " + names
                + ")";
    }

    private static String normalised(String key) {
        return key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String typeName(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        return "an object";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
