package io.densecl.operator.loop;

import io.densecl.operator.trainer.ProgressClient;
import io.densecl.operator.trainer.TrainerProgress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Stands in for the trainers' /progress endpoints: tests set what each pod IP answers. */
public final class FakeProgress implements ProgressClient {

    private final Map<String, TrainerProgress> byIp = new ConcurrentHashMap<>();

    public void set(String podIp, TrainerProgress progress) {
        byIp.put(podIp, progress);
    }

    @Override
    public Optional<TrainerProgress> fetch(String podIp, int port) {
        return Optional.ofNullable(byIp.get(podIp));
    }
}
