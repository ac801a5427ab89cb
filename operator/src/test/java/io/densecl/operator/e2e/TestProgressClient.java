package io.densecl.operator.e2e;

import io.densecl.contract.Progress;
import io.densecl.operator.trainer.ProgressClient;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Replaces the HTTP progress client in @QuarkusTest: tests decide what each pod IP reports. */
@Singleton
public class TestProgressClient implements ProgressClient {

    final Map<String, Progress> byIp = new ConcurrentHashMap<>();

    @Override
    public Optional<Progress> fetch(String podIp, int port) {
        return Optional.ofNullable(byIp.get(podIp));
    }
}
