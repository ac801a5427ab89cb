package io.densecl.operator.crd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates the CEL rules (x-kubernetes-validations) of a CRD's schema against objects the way the
 * API server does: defaults applied first, numbers typed by the schema, transition rules (oldSelf)
 * only on updates where the old value exists, violations reported at the rule's fieldPath.
 */
public final class CrdCel {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();

    private static final Map<String, dev.cel.runtime.CelRuntime.Program> PROGRAMS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Map<String, Object> schema;

    private CrdCel(Map<String, Object> schema) {
        this.schema = schema;
    }

    /** Loads the openAPIV3Schema of the first version of a CRD file. */
    @SuppressWarnings("unchecked")
    public static CrdCel load(Path crd) throws IOException {
        Map<String, Object> doc = YAML.readValue(crd.toFile(), Map.class);
        var versions = (List<Map<String, Object>>) ((Map<String, Object>) doc.get("spec")).get("versions");
        var schema =
                (Map<String, Object>) ((Map<String, Object>) versions.get(0).get("schema")).get("openAPIV3Schema");
        return new CrdCel(schema);
    }

    /** All rules in the schema, for a sanity count. */
    @SuppressWarnings("unchecked")
    List<String> rules() {
        List<String> out = new ArrayList<>();
        collect(schema, out);
        return out;
    }

    /** The messages of the rules the object violates (on create when old is null, else on update). */
    public List<String> violations(Map<String, Object> object, Map<String, Object> old) {
        List<String> out = new ArrayList<>();
        Object now = typed(schema, defaulted(schema, object));
        Object before = old == null ? null : typed(schema, defaulted(schema, old));
        walk(schema, now, before, "", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private void walk(Map<String, Object> s, Object value, Object old, String path, List<String> out) {
        if (value == null) {
            return;
        }
        var rules = (List<Map<String, Object>>) s.get("x-kubernetes-validations");
        if (rules != null) {
            for (Map<String, Object> rule : rules) {
                String expr = (String) rule.get("rule");
                if (expr.contains("oldSelf") && old == null) {
                    continue; // transition rules apply to updates only
                }
                if (!evaluate(expr, value, old)) {
                    // a rule with fieldPath is reported at that field below the object, as the API server does
                    out.add(path + (rule.get("fieldPath") instanceof String at ? at : "") + ": " + rule.get("message"));
                }
            }
        }
        if (value instanceof Map<?, ?> map && s.get("properties") instanceof Map<?, ?> props) {
            for (var e : ((Map<String, Object>) props).entrySet()) {
                Object oldChild = old instanceof Map<?, ?> om ? om.get(e.getKey()) : null;
                walk((Map<String, Object>) e.getValue(), map.get(e.getKey()), oldChild, path + "." + e.getKey(), out);
            }
        }
        if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < list.size(); i++) {
                walk((Map<String, Object>) items, list.get(i), null, path + "[" + i + "]", out);
            }
        }
    }

    private static boolean evaluate(String expr, Object self, Object old) {
        try {
            var program = PROGRAMS.computeIfAbsent(expr, CrdCel::compile);
            Map<String, Object> vars = new HashMap<>();
            vars.put("self", self);
            if (old != null) {
                vars.put("oldSelf", old);
            }
            return Boolean.TRUE.equals(program.eval(vars));
        } catch (Exception e) {
            throw new IllegalStateException("cannot evaluate CEL rule " + expr + ": " + e.getMessage(), e);
        }
    }

    private static dev.cel.runtime.CelRuntime.Program compile(String expr) {
        try {
            return CEL.createProgram(CEL.compile(expr).getAst());
        } catch (Exception e) {
            throw new IllegalStateException("cannot compile CEL rule " + expr + ": " + e.getMessage(), e);
        }
    }

    /** The object with the schema's defaults applied, as the API server stores it (the fast tier's model of defaulting). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> withDefaults(Map<String, Object> object) {
        return (Map<String, Object>) defaulted(schema, object);
    }

    /** Applies schema defaults to missing properties, recursively (the API server defaults before validating). */
    @SuppressWarnings("unchecked")
    private static Object defaulted(Map<String, Object> s, Object value) {
        if (value instanceof Map<?, ?> map && s.get("properties") instanceof Map<?, ?> props) {
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) map);
            for (var e : ((Map<String, Object>) props).entrySet()) {
                Map<String, Object> child = (Map<String, Object>) e.getValue();
                Object v = out.get(e.getKey());
                if (v == null && child.containsKey("default") && child.get("default") != null) {
                    v = YAML.convertValue(child.get("default"), Object.class);
                }
                if (v != null) {
                    out.put(e.getKey(), defaulted(child, v));
                }
            }
            return out;
        }
        if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
            return list.stream()
                    .map(v -> defaulted((Map<String, Object>) items, v))
                    .toList();
        }
        return value;
    }

    /** CEL sees integers as int (Long) and numbers as double, as the API server does. */
    @SuppressWarnings("unchecked")
    private static Object typed(Map<String, Object> s, Object value) {
        String type = (String) s.get("type");
        if (value instanceof Number n) {
            return "number".equals(type) ? (Object) n.doubleValue() : (Object) n.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> props = (Map<String, Object>) s.getOrDefault("properties", Map.of());
            Map<String, Object> extra =
                    s.get("additionalProperties") instanceof Map<?, ?> ap ? (Map<String, Object>) ap : Map.of();
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, typed((Map<String, Object>) props.getOrDefault(k, extra), v)));
            return out;
        }
        if (value instanceof List<?> list) {
            Map<String, Object> items = (Map<String, Object>) s.getOrDefault("items", Map.of());
            return list.stream().map(v -> typed(items, v)).toList();
        }
        return value;
    }

    /** Paths in the object that the schema does not know (the API server would silently prune them). */
    public List<String> unknownFields(Map<String, Object> object) {
        List<String> out = new ArrayList<>();
        Map<String, Object> rest = new LinkedHashMap<>(object);
        rest.keySet().removeAll(List.of("apiVersion", "kind", "metadata"));
        unknown(schema, rest, "", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void unknown(Map<String, Object> s, Object value, String path, List<String> out) {
        if (Boolean.TRUE.equals(s.get("x-kubernetes-preserve-unknown-fields"))) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> props = (Map<String, Object>) s.get("properties");
            Object extra = s.get("additionalProperties");
            map.forEach((k, v) -> {
                Object child = props == null ? extra : props.getOrDefault(k, extra);
                if (child instanceof Map<?, ?> c) {
                    unknown((Map<String, Object>) c, v, path + "." + k, out);
                } else {
                    out.add(path + "." + k);
                }
            });
        } else if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < list.size(); i++) {
                unknown((Map<String, Object>) items, list.get(i), path + "[" + i + "]", out);
            }
        }
    }

    /** The sub-schema at a path such as {@code .spec.training} ({@code []} steps into list items), or null. */
    @SuppressWarnings("unchecked")
    Map<String, Object> schemaAt(String path) {
        Map<String, Object> s = schema;
        for (String part : path.substring(1).split("\\.")) {
            boolean items = part.endsWith("[]");
            String name = items ? part.substring(0, part.length() - 2) : part;
            Object props = s.get("properties");
            if (!(props instanceof Map<?, ?> p) || !(p.get(name) instanceof Map<?, ?> child)) {
                return null;
            }
            s = (Map<String, Object>) child;
            if (items) {
                s = (Map<String, Object>) s.get("items");
            }
        }
        return s;
    }

    /**
     * What the API server's structural schema check refuses before CEL runs: wrong types, values outside
     * minimum/maximum (exclusive or not) and values not in an enum. Messages start with the field path.
     */
    List<String> schemaViolations(Map<String, Object> object) {
        List<String> out = new ArrayList<>();
        Map<String, Object> rest = new LinkedHashMap<>(object);
        rest.keySet().removeAll(List.of("apiVersion", "kind", "metadata"));
        check(schema, withDefaults(rest), "", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> s, Object value, String path, List<String> out) {
        if (value == null) {
            return;
        }
        String type = (String) s.get("type");
        if (("integer".equals(type) && !(value instanceof Integer || value instanceof Long))
                || ("number".equals(type) && !(value instanceof Number))
                || ("string".equals(type) && !(value instanceof String))
                || ("boolean".equals(type) && !(value instanceof Boolean))) {
            out.add(path + ": must be of type " + type);
            return;
        }
        if (s.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            out.add(path + ": must be one of " + allowed);
        }
        if (value instanceof Number n) {
            double v = n.doubleValue();
            if (s.get("minimum") instanceof Number min
                    && (Boolean.TRUE.equals(s.get("exclusiveMinimum"))
                            ? v <= min.doubleValue()
                            : v < min.doubleValue())) {
                out.add(path + ": must be " + (Boolean.TRUE.equals(s.get("exclusiveMinimum")) ? "> " : ">= ") + min);
            }
            if (s.get("maximum") instanceof Number max
                    && (Boolean.TRUE.equals(s.get("exclusiveMaximum"))
                            ? v >= max.doubleValue()
                            : v > max.doubleValue())) {
                out.add(path + ": must be " + (Boolean.TRUE.equals(s.get("exclusiveMaximum")) ? "< " : "<= ") + max);
            }
        }
        if (value instanceof Map<?, ?> map && s.get("properties") instanceof Map<?, ?> props) {
            map.forEach((k, v) -> {
                if (props.get(k) instanceof Map<?, ?> child) {
                    check((Map<String, Object>) child, v, path + "." + k, out);
                }
            });
        }
        if (value instanceof List<?> list && s.get("items") instanceof Map<?, ?> items) {
            for (int i = 0; i < list.size(); i++) {
                check((Map<String, Object>) items, list.get(i), path + "[" + i + "]", out);
            }
        }
    }

    /** Every property with an {@code enum}, by path ({@code []} for list items), with its values. */
    @SuppressWarnings("unchecked")
    Map<String, List<Object>> enums() {
        Map<String, List<Object>> out = new java.util.TreeMap<>();
        enums(schema, "", out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void enums(Map<String, Object> s, String path, Map<String, List<Object>> out) {
        if (s.get("enum") instanceof List<?> values) {
            out.put(path, (List<Object>) values);
        }
        if (s.get("properties") instanceof Map<?, ?> props) {
            props.forEach((k, v) -> enums((Map<String, Object>) v, path + "." + k, out));
        }
        if (s.get("items") instanceof Map<?, ?> items) {
            enums((Map<String, Object>) items, path + "[]", out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("x-kubernetes-validations") instanceof List<?> rules) {
                rules.forEach(r -> out.add((String) ((Map<String, Object>) r).get("rule")));
            }
            map.values().forEach(v -> collect(v, out));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collect(v, out));
        }
    }
}
