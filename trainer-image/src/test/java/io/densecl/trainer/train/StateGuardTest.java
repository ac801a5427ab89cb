package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import io.densecl.contract.Backbone;
import io.densecl.contract.RunConfig;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.model.GradMode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The finite/exploded-state rule on a real ResNet-18 DenseCL session and on its checkpoint bytes. */
class StateGuardTest {
    static TrainingSession session;

    @TempDir
    Path dir;

    @BeforeAll
    static void session() {
        RunConfig c = new RunConfig();
        c.model.backbone = Backbone.resnet18;
        c.model.hid = 32;
        c.model.dim = 16;
        c.denseCL.queueSize = 16;
        c.device = "cpu";
        session = new TrainingSession(c);
    }

    @AfterAll
    static void close() {
        session.close();
    }

    @Test
    void aFreshStateIsFit() {
        assertThatCode(() -> StateGuard.check(session.model(), session.sgd(), 0))
                .doesNotThrowAnyException();
    }

    @Test
    void oneNonFiniteValueAnywhereIsNamed() {
        poke(
                session.sgd().momentumBuffer(),
                12345,
                Float.POSITIVE_INFINITY,
                () -> assertThatThrownBy(() -> StateGuard.check(session.model(), session.sgd(), 7))
                        .isInstanceOf(TrainingDivergedException.class)
                        .hasMessageContaining("sgd.momentum_buffer holds non-finite")
                        .hasMessageContaining("at step 7"));
        poke(
                session.model().key().buffers(),
                3,
                Float.NaN,
                () -> assertThatThrownBy(() -> StateGuard.check(session.model(), session.sgd(), 7))
                        .hasMessageContaining("encoder_k.buffers"));
        poke(
                session.model().queue2(),
                0,
                Float.NEGATIVE_INFINITY,
                () -> assertThatThrownBy(() -> StateGuard.check(session.model(), session.sgd(), 7))
                        .hasMessageContaining("queue2"));
        assertThatCode(() -> StateGuard.check(session.model(), session.sgd(), 7))
                .doesNotThrowAnyException();
    }

    @Test
    void explodedWeightsAndStatisticsTripTheWire() {
        NDArray params = session.model().query().params();
        try (GradMode g = GradMode.off()) {
            NDArray saved = params.duplicate();
            params.muli(1e4f); // RMS 0.03 -> 300
            assertThatThrownBy(() -> StateGuard.check(session.model(), session.sgd(), 12))
                    .isInstanceOf(TrainingDivergedException.class)
                    .hasMessageMatching("encoder_q.params has exploded: root-mean-square 3\\d\\d > 100 .*");
            saved.copyTo(params);
            saved.close();
            NDArray bn = session.model().key().buffers();
            NDArray bnSaved = bn.duplicate();
            bn.muli(1e12f);
            assertThatThrownBy(() -> StateGuard.check(session.model(), session.sgd(), 12))
                    .hasMessageContaining("encoder_k.buffers has exploded");
            bnSaved.copyTo(bn);
            bnSaved.close();
        }
        assertThatCode(() -> StateGuard.check(session.model(), session.sgd(), 12))
                .doesNotThrowAnyException();
    }

    @Test
    void aStoredStateIsJudgedByTheSameRule() throws Exception {
        Path f = dir.resolve("state.safetensors");
        try (StateCodec.HostState st = StateCodec.encode(session.model(), session.sgd())) {
            SafeTensors.write(f, null, st.entries());
        }
        try (SafeTensors.File file = SafeTensors.read(f)) {
            assertThatCode(() -> StateGuard.checkStored(file, "test", false)).doesNotThrowAnyException();
            assertThat(StateCodec.mismatch(file, session.model(), session.sgd(), false))
                    .isNull();
        }
        poke(session.sgd().momentumBuffer(), 99, Float.NaN, () -> {
            try (StateCodec.HostState st = StateCodec.encode(session.model(), session.sgd())) {
                SafeTensors.write(f, null, st.entries());
            }
        });
        try (SafeTensors.File file = SafeTensors.read(f)) {
            assertThatThrownBy(() -> StateGuard.checkStored(file, "checkpoint x", false))
                    .hasMessageContaining("sgd.momentum_buffer")
                    .hasMessageContaining("in checkpoint x");
            // a warm start reads only the weights, which are fine
            assertThatCode(() -> StateGuard.checkStored(file, "checkpoint x", true))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void theLimitsSitBetweenHealthyAndExplodedRuns() {
        // measured on the runs (ResNet-18, 12 steps): lr 0.3 -> params RMS 0.034, BN RMS 0.7; lr 10 -> 0.039
        // and 192;
        // lr 1e6 -> 170 and 1.45e14
        assertThatCode(() -> StateGuard.verdict("encoder_q.params", 0.039 * Math.sqrt(1e6), 1_000_000, ""))
                .doesNotThrowAnyException();
        assertThatCode(() -> StateGuard.verdict("encoder_q.buffers", 192 * Math.sqrt(9600), 9600, ""))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> StateGuard.verdict("encoder_q.params", 170 * Math.sqrt(1e6), 1_000_000, ""))
                .hasMessageContaining("exploded");
        assertThatThrownBy(() -> StateGuard.verdict("encoder_q.buffers", 1.45e14 * Math.sqrt(9600), 9600, ""))
                .hasMessageContaining("exploded");
        assertThatCode(() -> StateGuard.verdict("sgd.momentum_buffer", 1e30, 10, ""))
                .as("momentum: finite is enough")
                .doesNotThrowAnyException();
    }

    /** Sets one value, runs {@code check}, and restores the value. */
    private static void poke(NDArray flat, long index, float value, ThrowingRunnable check) {
        try (GradMode g = GradMode.off()) {
            NDArray saved = flat.duplicate();
            try {
                flat.set(new ai.djl.ndarray.index.NDIndex(index), value); // in place: views of the buffer see it
                check.run();
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                saved.copyTo(flat);
                saved.close();
            }
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
