package io.densecl.operator.bench;

import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.trainer.HttpProgressClient;
import io.densecl.operator.trainer.ProgressClient;
import io.densecl.operator.trainer.TrainerProgress;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The real HTTP progress client, counted: enabled only by {@link FleetBenchProfile} (other @QuarkusTests keep the
 * e2e TestProgressClient). Records polls, empty answers and time spent blocked in polls.
 */
@Alternative
@Singleton
public class BenchProgressClient implements ProgressClient {

    static final LongAdder POLLS = new LongAdder();
    static final LongAdder EMPTY = new LongAdder();
    static final LongAdder NANOS = new LongAdder();
    static final LongAccumulator MAX_NANOS = new LongAccumulator(Math::max, 0);

    private final HttpProgressClient delegate;

    @Inject
    public BenchProgressClient(OperatorSettings settings) {
        this.delegate = new HttpProgressClient(settings.progressTimeout());
    }

    @Override
    public Optional<TrainerProgress> fetch(String podIp, int port) {
        long t0 = System.nanoTime();
        Optional<TrainerProgress> p = delegate.fetch(podIp, port);
        long dt = System.nanoTime() - t0;
        POLLS.increment();
        NANOS.add(dt);
        MAX_NANOS.accumulate(dt);
        if (p.isEmpty()) {
            EMPTY.increment();
        }
        return p;
    }
}
