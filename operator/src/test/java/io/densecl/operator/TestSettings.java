package io.densecl.operator;

import io.densecl.operator.reconciler.OperatorBeans;
import io.densecl.operator.reconciler.OperatorConfig;
import io.densecl.operator.resources.OperatorSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;

/** The operator's configuration as application.properties defines it (its only home), read without Quarkus. */
public final class TestSettings {

    private TestSettings() {}

    public static OperatorConfig config() {
        URL properties = TestSettings.class.getClassLoader().getResource("application.properties");
        try {
            return new SmallRyeConfigBuilder()
                    .withSources(new PropertiesConfigSource(properties, 100))
                    .withConverter(Duration.class, 200, new DurationConverter())
                    .withMapping(OperatorConfig.class)
                    .build()
                    .getConfigMapping(OperatorConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the operator runs with when nothing overrides application.properties. */
    public static OperatorSettings settings() {
        return OperatorBeans.settingsOf(config());
    }
}
