package io.densecl.bench.fleet.mock;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The keys of the mock server's object store, indexed by resource (plural), namespace and name, so a request
 * looks at the objects it can match instead of all of them.
 */
final class ObjectIndex {
    private static final String CLUSTER = "";
    /** plural -> namespace ("" for cluster-scoped) -> name -> the store's key; sorted like a real API server's lists. */
    private final Map<String, NavigableMap<String, NavigableMap<String, AttributeSet>>> byPlural =
            new ConcurrentHashMap<>();
    /** Keys without a plural or a name (not expected from the Kubernetes handlers): while any exist, callers scan. */
    private final Set<AttributeSet> unindexed = ConcurrentHashMap.newKeySet();

    void add(AttributeSet key) {
        String plural = value(key, KubernetesAttributesExtractor.PLURAL);
        String name = value(key, KubernetesAttributesExtractor.NAME);
        if (plural == null || name == null) {
            unindexed.add(key);
            return;
        }
        byPlural.computeIfAbsent(plural, p -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(namespaceOf(key), n -> new ConcurrentSkipListMap<>())
                .put(name, key);
    }

    void remove(AttributeSet key) {
        if (unindexed.remove(key)) {
            return;
        }
        String plural = value(key, KubernetesAttributesExtractor.PLURAL);
        String name = value(key, KubernetesAttributesExtractor.NAME);
        var namespaces = plural == null ? null : byPlural.get(plural);
        var names = namespaces == null ? null : namespaces.get(namespaceOf(key));
        if (names != null && name != null) {
            names.remove(name, key);
        }
    }

    void clear() {
        byPlural.clear();
        unindexed.clear();
    }

    /**
     * The keys a query can match (a superset: the caller still applies {@code matches}), or null when the query names
     * no resource and must scan the whole store.
     */
    Collection<AttributeSet> candidates(AttributeSet query) {
        String plural = value(query, KubernetesAttributesExtractor.PLURAL);
        if (plural == null || !unindexed.isEmpty()) {
            return null;
        }
        var namespaces = byPlural.get(plural);
        if (namespaces == null) {
            return List.of();
        }
        String namespace = value(query, KubernetesAttributesExtractor.NAMESPACE);
        String name = value(query, KubernetesAttributesExtractor.NAME);
        Collection<NavigableMap<String, AttributeSet>> scopes;
        if (namespace != null) {
            var names = namespaces.get(namespace);
            scopes = names == null ? List.of() : List.of(names);
        } else {
            scopes = namespaces.values(); // all namespaces (and cluster-scoped objects)
        }
        List<AttributeSet> out = new ArrayList<>();
        for (var names : scopes) {
            if (name == null) {
                out.addAll(names.values());
            } else {
                AttributeSet key = names.get(name);
                if (key != null) {
                    out.add(key);
                }
            }
        }
        return out;
    }

    private static String namespaceOf(AttributeSet key) {
        String ns = value(key, KubernetesAttributesExtractor.NAMESPACE);
        return ns == null ? CLUSTER : ns;
    }

    /** The single value of an equality attribute, or null (absent, a selector such as != or exists, several values). */
    private static String value(AttributeSet set, String key) {
        Attribute a = set.getAttribute(key);
        if (a == null || a.getType() != AttributeType.WITH || a.getValues().size() != 1) {
            return null;
        }
        String v = a.getValues().get(0).toString();
        return "*".equals(v) ? null : v; // "*" is the mock library's wildcard value
    }
}
