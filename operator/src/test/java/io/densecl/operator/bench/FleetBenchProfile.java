package io.densecl.operator.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.Set;

/** The fleet benchmark's Quarkus profile: real HTTP progress polling against {@link BenchTrainerServer}. */
public class FleetBenchProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("densecl.progress.port", String.valueOf(BenchTrainerServer.port()),
                // one line per pod deletion etc. is fine, but JOSDK's per-event DEBUG/INFO noise is not
                "quarkus.log.category.\"io.javaoperatorsdk\".level", "WARN");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(BenchProgressClient.class);
    }
}
