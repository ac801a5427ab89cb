package io.densecl.operator.resources;

import java.time.Duration;

/**
 * Operator-wide settings (application.properties, prefix {@code densecl.}) as a plain record so that
 * factories and the state machine can be unit-tested without CDI.
 */
public record OperatorSettings(String defaultImage, String gpuResourceName, int progressPort,
        Duration progressInterval, Duration progressTimeout, int progressMaxConcurrent) {

    public static OperatorSettings defaults() {
        return new OperatorSettings("densecl-trainer:0.1.0", "nvidia.com/gpu", 8080, Duration.ofSeconds(30),
                Duration.ofSeconds(2), 4);
    }
}
