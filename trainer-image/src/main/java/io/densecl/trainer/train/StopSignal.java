package io.densecl.trainer.train;

import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * Turns SIGTERM (pod deletion, preemption) and SIGINT into a flag the loop checks between steps,
 * instead of the JVM's default of exiting at once: the current step finishes and a checkpoint is written.
 */
public final class StopSignal {
    private final AtomicReference<String> reason = new AtomicReference<>();

    /** A signal not connected to the OS (tests request stops directly). */
    public StopSignal() {}

    /** Installs handlers for TERM and INT that request a stop. */
    public static StopSignal installed() {
        StopSignal s = new StopSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    System.err.println(
                            "INFO received SIG" + sig.getName() + ": finishing the current step, then checkpointing");
                    s.request("SIG" + sig.getName());
                });
            } catch (IllegalArgumentException e) {
                System.err.println("WARN cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
        return s;
    }

    public void request(String why) {
        reason.compareAndSet(null, why);
    }

    public boolean requested() {
        return reason.get() != null;
    }

    public String reason() {
        return reason.get();
    }
}
