package io.densecl.operator;

import io.densecl.contract.Backbone;
import io.densecl.contract.EvaluationTask;
import io.densecl.contract.Progress;
import io.densecl.contract.TerminationMessage;
import io.densecl.operator.api.v1alpha1.DataSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.state.PodView;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Map;

/** Shared test data: a small valid run, pods in every state, progress documents. */
public final class Fixtures {

    public static final Instant T0 = Instant.parse("2026-11-28T03:00:00Z");
    public static final String UID = "0123abcd-4567-89ef-0123-456789abcdef";

    private Fixtures() {}

    /** A small valid spec: ResNet-18 on claim 'densecl-data' path 'synth', 2 epochs, batch 16, queue 256. */
    public static DenseCLRunSpec spec() {
        DenseCLRunSpec s = new DenseCLRunSpec();
        s.data.claimName = "densecl-data";
        s.data.path = "synth";
        s.model.backbone = Backbone.resnet18;
        s.training.epochs = 2;
        s.training.batchSize = 16;
        s.training.imageSize = 64;
        s.denseCL.queueSize = 256;
        s.failurePolicy.backoffLimit = 2;
        s.failurePolicy.maxDisruptions = 2;
        s.failurePolicy.progressDeadlineSeconds = 600L;
        return s;
    }

    public static EvaluationSpec segmentation(String name) {
        EvaluationSpec e = new EvaluationSpec();
        e.name = name;
        e.type = EvaluationTask.segmentation;
        e.data = new DataSpec();
        e.data.claimName = "densecl-data";
        e.data.path = "synth-seg";
        e.epochs = 1;
        return e;
    }

    public static DenseCLRun run(String name, DenseCLRunSpec spec) {
        DenseCLRun run = new DenseCLRun();
        run.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("ml")
                .withUid(UID)
                .withGeneration(1L)
                .build());
        run.setSpec(spec);
        run.setStatus(null);
        return run;
    }

    public static PodView pending(String name) {
        return new PodView(
                name, PodView.State.PENDING, null, null, null, null, null, false, null, null, null, null, Map.of());
    }

    public static PodView running(String name, Instant since) {
        return new PodView(
                name,
                PodView.State.RUNNING,
                null,
                null,
                null,
                null,
                null,
                false,
                "10.1.2.3",
                "node-1",
                since,
                null,
                Map.of());
    }

    public static PodView exited(
            String name,
            int exitCode,
            String terminatedReason,
            String message,
            String disruptionReason,
            Instant finishedAt) {
        return new PodView(
                name,
                exitCode == 0 ? PodView.State.SUCCEEDED : PodView.State.FAILED,
                exitCode,
                terminatedReason,
                TerminationMessage.parse(message),
                disruptionReason,
                null,
                false,
                null,
                "node-1",
                null,
                finishedAt,
                Map.of());
    }

    public static PodView evaluated(String name, int epoch, int exitCode, String message) {
        return new PodView(
                name,
                exitCode == 0 ? PodView.State.SUCCEEDED : PodView.State.FAILED,
                exitCode,
                null,
                TerminationMessage.parse(message),
                null,
                null,
                false,
                null,
                "node-1",
                null,
                T0,
                Map.of("densecl.io/checkpoint-epoch", String.valueOf(epoch)));
    }

    public static String complete(int epoch, long step) {
        return "{\"result\":\"Complete\",\"epoch\":" + epoch + ",\"step\":" + step
                + ",\"checkpoint\":\"/checkpoints/ml/r-0123abcd/ckpt-e" + epoch + "-s" + step + "\","
                + "\"metrics\":{\"loss\":5.1,\"lossGlobal\":4.0,\"lossDense\":6.2,\"imagesPerSecond\":80.0}}";
    }

    public static String checkpointed(int epoch, long step) {
        return "{\"result\":\"Checkpointed\",\"epoch\":" + epoch + ",\"step\":" + step
                + ",\"checkpoint\":\"/checkpoints/ml/r-0123abcd/ckpt-e" + epoch + "-s" + step + "\"}";
    }

    public static String configError(String field, String message) {
        return "{\"result\":\"ConfigError\",\"error\":{\"class\":\"ConfigError\",\"field\":\"" + field
                + "\",\"message\":\"" + message + "\"}}";
    }

    public static String segResult(double miou, int epoch) {
        return "{\"result\":\"Complete\",\"task\":\"segmentation\",\"checkpointEpoch\":" + epoch
                + ",\"metrics\":{\"mIoU\":" + miou + ",\"pixelAccuracy\":0.8}}";
    }

    public static Progress progress(int epoch, long step, long totalSteps, Integer ckptEpoch, Long ckptStep) {
        return new Progress(
                Progress.Phase.Training,
                null,
                1,
                epoch,
                2,
                step,
                totalSteps,
                (int) (totalSteps / 2),
                5.0,
                4.0,
                6.0,
                2.0,
                3.0,
                0.01,
                80.0,
                300L,
                ckptEpoch == null
                        ? null
                        : new Progress.LastCheckpoint(
                                "/checkpoints/ml/r-0123abcd/ckpt-e" + ckptEpoch + "-s" + ckptStep,
                                ckptEpoch,
                                ckptStep,
                                T0.toString()),
                null,
                0);
    }
}
