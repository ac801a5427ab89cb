package io.densecl.bench.fleet.mock;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Fabric8's CRUD dispatcher with its lookups indexed ({@link ObjectIndex}). The library finds an object by matching
 * every stored object's attributes against the request, so each request cost O(objects) on the server's single event
 * loop and a burst of N creates was quadratic (81 s of event-loop CPU for 1,000 runs, see bench/README.md). Everything else
 * (create, update, patch, status subresource, resourceVersion, generation, finalizers, watches) is the library's code;
 * only finding objects and answering GETs changes. Deletes still scan (rare).
 */
class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
    private final ObjectIndex index = new ObjectIndex();
    /** Writers exclusive against indexed reads (the library's own lock is private). */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** The library keeps its counter private; lists report the latest resourceVersion handed out, as it does. */
    private final AtomicLong lastResourceVersion = new AtomicLong();

    IndexedCrudDispatcher() {
        super(List.of());
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handleCreate(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handleUpdate(request));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handlePatch(request));
    }

    @Override
    public MockResponse handleDelete(String path) {
        return locked(lock.writeLock(), () -> super.handleDelete(path));
    }

    @Override
    public MockResponse handleGet(String path) {
        if (path.contains("watch=true")) {
            return super.handleGet(path); // the library's watch: the initial ADDED events scan once per watch
        }
        return locked(lock.readLock(), () -> {
            AttributeSet query = getKey(path);
            Collection<AttributeSet> candidates = index.candidates(query);
            if (candidates == null) {
                return super.handleGet(path);
            }
            List<String> items = new ArrayList<>();
            for (AttributeSet key : candidates) {
                String body = key.matches(query) ? map.get(key) : null;
                if (body != null) {
                    items.add(body);
                }
            }
            if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
                return items.isEmpty()
                        ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
                        : new MockResponse()
                                .setResponseCode(HttpURLConnection.HTTP_OK)
                                .setBody(items.get(0));
            }
            if (items.isEmpty()) {
                return super.handleGet(path); // an empty list or an API discovery document: the library's answer
            }
            String list = ((KubernetesResponseComposer) getResponseComposer())
                    .compose(items, String.valueOf(lastResourceVersion.get()));
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(list);
        });
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        Collection<AttributeSet> candidates = index.candidates(attributes);
        if (candidates == null) {
            return super.findResource(attributes);
        }
        for (AttributeSet key : candidates) {
            String body = key.matches(attributes) ? map.get(key) : null;
            if (body != null) {
                return Map.entry(key, body);
            }
        }
        return null;
    }

    @Override
    public void processEvent(
            String path,
            AttributeSet pathAttributes,
            AttributeSet oldAttributes,
            GenericKubernetesResource resource,
            String newState) {
        // Parse a PUT's body once here: the library would parse it itself to compute the same key.
        GenericKubernetesResource parsed = resource == null && newState != null
                ? Serialization.unmarshal(newState, GenericKubernetesResource.class)
                : resource;
        super.processEvent(path, pathAttributes, oldAttributes, parsed, newState);
        if (oldAttributes != null) {
            index.remove(oldAttributes);
        }
        if (newState != null) {
            index.add(storedKey(pathAttributes, parsed));
        }
    }

    /** The key the library stored the new state under (same rule as its processEvent). */
    private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource) {
        AttributeSet key = ((KubernetesAttributesExtractor) getAttributeExtractor()).extract(resource);
        return key.containsKey(KubernetesAttributesExtractor.PLURAL) ? key : AttributeSet.merge(pathAttributes, key);
    }

    @Override
    public long requestResourceVersion() {
        long v = super.requestResourceVersion();
        lastResourceVersion.accumulateAndGet(v, Math::max);
        return v;
    }

    @Override
    public void reset() {
        locked(lock.writeLock(), () -> {
            super.reset();
            index.clear();
            return null;
        });
    }

    private static <T> T locked(Lock l, Supplier<T> task) {
        l.lock();
        try {
            return task.get();
        } finally {
            l.unlock();
        }
    }
}
