package io.densecl.trainer.cli;

/** Process-wide DJL settings that must be in place before the engine loads. */
public final class EngineSetup {
    private EngineSetup() {}

    /** Never download anything and never send telemetry, whatever the environment says. */
    public static void offline() {
        System.setProperty("offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
    }

    /** libtorch intra-op threads (0 keeps its default); one inter-op thread, DenseCL has no parallel branches. */
    public static void threads(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
}
