package io.densecl.operator.loop;

import io.densecl.contract.Progress;
import io.densecl.operator.trainer.ProgressClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Stands in for the trainers' /progress endpoints: tests set what each pod IP answers. */
public final class FakeProgress implements ProgressClient {

    private final Map<String, Progress> byIp = new ConcurrentHashMap<>();

    public void set(String podIp, Progress progress) {
        byIp.put(podIp, progress);
    }

    @Override
    public Optional<Progress> fetch(String podIp, int port) {
        return Optional.ofNullable(byIp.get(podIp));
    }
}
