package io.densecl.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.trainer.checkpoint.CheckpointStore;
import io.densecl.trainer.checkpoint.StateCodec;
import io.densecl.trainer.cli.TrainerCli;
import io.densecl.trainer.io.SafeTensors;
import io.densecl.trainer.synth.SynthDataset;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run resumes on another number of devices and continues the same trajectory: one epoch on {@code cpu,cpu}, then
 * the rest on {@code cpu}, ends where the uninterrupted {@code cpu,cpu} run ends, and the reverse where the {@code cpu}
 * run ends, up to summation order; and the uninterrupted runs on one and two devices agree (ResNet-18, batch 8 in 4
 * BatchNorm groups, 2 epochs of 2 steps, lr 0.03; the CLI in this JVM). This tiny configuration is chaotic at large
 * learning rates: at lr 0.3 a near-tie of the dense correspondence amplified a 1e-7 difference 10-20x per step from
 * the third step on, and a CI machine once ended 4e-3 apart after 6 steps; at lr 0.03 over 4 steps the widest gap
 * (BN running statistics of the straight runs, 1.3e-5) is 8x inside the 1e-4 bound.
 */
class DeviceCountResumeTest {
    static final int EPOCHS = 2;

    @TempDir
    static Path dir;

    static Path straightOne;
    static Path straightTwo;

    static int pretrain(Path ckpt, int epochs, String... devices) {
        List<String> a = new ArrayList<>(List.of(
                "pretrain",
                "--data",
                dir.resolve("data/JPEGImages").toString(),
                "--checkpoint-dir",
                ckpt.toString(),
                "--backbone",
                "resnet18",
                "--hid",
                "32",
                "--dim",
                "16",
                "--image-size",
                "64",
                "--batch-size",
                "8",
                "--queue-size",
                "32",
                "--epochs",
                Integer.toString(epochs),
                "--lr",
                "0.03",
                "--bn-group-size",
                "2",
                "--threads",
                "1",
                "--workers",
                "1",
                "--checkpoint-every-minutes",
                "0",
                "--checkpoint-every-epochs",
                "0",
                "--progress-port",
                "-1",
                "--termination-log",
                ckpt.resolveSibling(ckpt.getFileName() + ".term").toString()));
        a.addAll(List.of(devices));
        return TrainerCli.execute(a.toArray(String[]::new));
    }

    @BeforeAll
    static void uninterruptedOnOneAndOnTwoDevices() throws IOException {
        new SynthDataset(16, 48, 3, 5).write(dir.resolve("data"));
        straightOne = dir.resolve("straight-one");
        assertThat(pretrain(straightOne, EPOCHS, "--device", "cpu")).isZero();
        straightTwo = dir.resolve("straight-two");
        assertThat(pretrain(straightTwo, EPOCHS, "--devices", "cpu,cpu")).isZero();
    }

    @Test
    void twoDevicesThenOneContinueTheTrajectory() throws IOException {
        Path ckpt = dir.resolve("two-then-one");
        assertThat(pretrain(ckpt, 1, "--devices", "cpu,cpu")).isZero();
        assertThat(pretrain(ckpt, EPOCHS, "--device", "cpu")).isZero(); // resumes the two-replica checkpoint of epoch 1
        assertSameTrajectory(straightTwo, ckpt, true);
    }

    /** The property: R=2 replicas train what one device trains (weights, BN statistics, queues to 1e-4). */
    @Test
    void oneAndTwoDevicesTrainTheSameTrajectory() throws IOException {
        assertSameTrajectory(straightOne, straightTwo, false);
    }

    @Test
    void oneDeviceThenTwoContinueTheTrajectory() throws IOException {
        Path ckpt = dir.resolve("one-then-two");
        assertThat(pretrain(ckpt, 1, "--device", "cpu")).isZero();
        assertThat(pretrain(ckpt, EPOCHS, "--devices", "cpu,cpu")).isZero();
        assertSameTrajectory(straightOne, ckpt, true);
    }

    /**
     * The resumed run's final checkpoint against the uninterrupted run on the device count that wrote the checkpoint
     * it resumed: the same step, every tensor equal up to summation order.
     */
    static void assertSameTrajectory(Path straight, Path ckpt, boolean resumed) throws IOException {
        CheckpointStore.Checkpoint a =
                new CheckpointStore(straight).latestValid().orElseThrow();
        CheckpointStore.Checkpoint b = new CheckpointStore(ckpt).latestValid().orElseThrow();
        assertThat(b.manifest().globalStep())
                .isEqualTo(a.manifest().globalStep())
                .isEqualTo(2L * EPOCHS);
        if (resumed) {
            assertThat(Files.readString(ckpt.resolveSibling(ckpt.getFileName() + ".term")))
                    .contains("\"resumedFrom\"");
        }
        assertThat(b.trainer().queuePtr()).isEqualTo(a.trainer().queuePtr());
        System.out.println(ckpt.getFileName() + " against " + straight.getFileName());
        try (SafeTensors.File fa = a.state();
                SafeTensors.File fb = b.state()) {
            for (String name : List.of(
                    StateCodec.QUERY_PARAMS,
                    StateCodec.KEY_PARAMS,
                    StateCodec.QUERY_BUFFERS,
                    StateCodec.KEY_BUFFERS,
                    StateCodec.QUEUE,
                    StateCodec.QUEUE2)) {
                assertThat(maxDiff(fa, fb, name)[0]).as(name).isLessThan(1e-4);
            }
            double[] momentum = maxDiff(fa, fb, StateCodec.MOMENTUM); // raw gradients: relative to their scale
            // Two uninterrupted runs sum in a different order for all four steps, and a near-tie of the dense
            // correspondence turns that into a 1e-2 relative gradient difference while the weights stay within 3e-6;
            // a resumed run shares its first steps with the straight one, and there the momentum matches too.
            if (resumed) {
                assertThat(momentum[0] / momentum[1])
                        .as("momentum relative to its largest value")
                        .isLessThan(1e-4);
            }
        }
    }

    /** {max |a - b|, max |a|} of one tensor. */
    static double[] maxDiff(SafeTensors.File a, SafeTensors.File b, String name) {
        FloatBuffer x =
                a.get(name).data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        FloatBuffer y =
                b.get(name).data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertThat(y.remaining()).isEqualTo(x.remaining());
        double max = 0;
        double scale = 0;
        for (int i = 0; i < x.remaining(); i++) {
            max = Math.max(max, Math.abs(x.get(i) - y.get(i)));
            scale = Math.max(scale, Math.abs(x.get(i)));
        }
        System.out.printf("%s: within %.2e (largest value %.2e)%n", name, max, scale);
        return new double[] {max, scale};
    }
}
