package io.densecl.operator.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.contract.Backbone;
import io.densecl.contract.Recipe;
import io.densecl.contract.Schedule;
import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.CheckpointStatus;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.DenseCLRunStatus;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint directory rule: /checkpoints/<ns>/<run>-<trajectory hash>, the same for a re-created run
 * (new uid) with the same spec, a new one for any change of a trajectory-relevant field.
 */
class ChildNamesTest {

    static DenseCLRun run(String uid, Consumer<DenseCLRunSpec> edit) {
        DenseCLRunSpec spec = Fixtures.spec();
        edit.accept(spec);
        DenseCLRun r = Fixtures.run("r", spec);
        r.getMetadata().setUid(uid);
        return r;
    }

    static String dir(Consumer<DenseCLRunSpec> edit) {
        return ChildNames.checkpointDir(run(Fixtures.UID, edit));
    }

    @Test
    void stableAcrossUidsForTheSameSpec() {
        String first = ChildNames.checkpointDir(run(Fixtures.UID, s -> {}));
        String recreated = ChildNames.checkpointDir(run("fedcba98-7654-3210-fedc-ba9876543210", s -> {}));
        assertThat(first).matches("/checkpoints/ml/r-[0-9a-f]{8}").isEqualTo(recreated);
        // Pinned: a change of the hash input would make every re-created run train again. (Changed once on purpose:
        // denseCL.bnGroupSize and training.recipe joined it with Shuffle BN, which the trainer's config hash has too.)
        assertThat(ChildNames.trajectoryHash(Fixtures.spec())).isEqualTo("00389e38");
    }

    @Test
    void changesWithEveryTrajectoryRelevantField() {
        String base = dir(s -> {});
        Map<String, Consumer<DenseCLRunSpec>> changes = Map.ofEntries(
                Map.entry("data.claimName", s -> s.data.claimName = "other-data"),
                Map.entry("data.path", s -> s.data.path = "synth2"),
                Map.entry("model.backbone", s -> s.model.backbone = Backbone.resnet50),
                Map.entry("model.dim", s -> s.model.dim = 64),
                Map.entry("denseCL.queueSize", s -> s.denseCL.queueSize = 512),
                Map.entry("denseCL.lossLambda", s -> s.denseCL.lossLambda = 0.3),
                Map.entry("denseCL.temperature", s -> s.denseCL.temperature = 0.1),
                Map.entry("denseCL.bnGroupSize", s -> s.denseCL.bnGroupSize = 8),
                Map.entry("training.recipe", s -> s.training.recipe = Recipe.coco),
                Map.entry("training.lr unset under coco", s -> {
                    s.training.recipe = Recipe.coco;
                    s.training.lr = null;
                }),
                Map.entry("training.batchSize", s -> s.training.batchSize = 32),
                Map.entry("training.lr", s -> s.training.lr = 0.06),
                Map.entry("training.weightDecay", s -> s.training.weightDecay = 0.0005),
                Map.entry("training.schedule", s -> s.training.schedule = Schedule.constant),
                Map.entry("training.seed", s -> s.training.seed = 1L),
                Map.entry("training.imageSize", s -> s.training.imageSize = 96),
                Map.entry("training.maxStepsPerEpoch", s -> s.training.maxStepsPerEpoch = 5),
                Map.entry("resume.fromRun", s -> {
                    s.resume.mode = ResumeSpec.Mode.WarmStart;
                    s.resume.fromRun = "base";
                }));
        changes.forEach((field, edit) ->
                assertThat(dir(edit)).as(field).isNotEqualTo(base).matches("/checkpoints/ml/r-[0-9a-f]{8}"));
    }

    @Test
    void unchangedByFieldsThatDoNotChangeTheTrajectory() {
        String base = dir(s -> {});
        assertThat(dir(s -> s.training.epochs = 50)).isEqualTo(base); // epochs may grow on the same checkpoints
        assertThat(dir(s -> s.training.epochs = null)).isEqualTo(base);
        // the lr trained with counts: the imagenet recipe's 0.03 set or left to the recipe is one trajectory
        assertThat(dir(s -> s.training.lr = null)).isEqualTo(dir(s -> s.training.lr = Recipe.IMAGENET_LR));
        assertThat(dir(s -> s.training.workers = 2)).isEqualTo(base);
        assertThat(dir(s -> s.resources.gpus = 4)).isEqualTo(base);
        assertThat(dir(s -> s.image = "registry.example/densecl:2")).isEqualTo(base);
        assertThat(dir(s -> s.checkpoint.intervalMinutes = 5)).isEqualTo(base);
        assertThat(dir(s -> s.data.path = "/synth/")).isEqualTo(base); // same directory on the claim
        assertThat(dir(s -> {
                    EvaluationSpec e = Fixtures.segmentation("seg");
                    s.evaluations.add(e);
                }))
                .isEqualTo(base);
    }

    @Test
    void resumeNeverStartsFreshPerObject() {
        String first = ChildNames.checkpointDir(run(Fixtures.UID, s -> s.resume.mode = ResumeSpec.Mode.Never));
        String recreated = ChildNames.checkpointDir(
                run("fedcba98-7654-3210-fedc-ba9876543210", s -> s.resume.mode = ResumeSpec.Mode.Never));
        assertThat(first).isEqualTo("/checkpoints/ml/r-0123abcd");
        assertThat(recreated).isEqualTo("/checkpoints/ml/r-fedcba98");
    }

    @Test
    void theDirectoryRecordedInStatusIsKept() {
        DenseCLRun r = run(Fixtures.UID, s -> {});
        r.setStatus(new DenseCLRunStatus());
        r.getStatus().checkpoint = new CheckpointStatus();
        r.getStatus().checkpoint.dir = "/checkpoints/ml/r-0123abcd"; // written by an older operator
        assertThat(ChildNames.checkpointDir(r)).isEqualTo("/checkpoints/ml/r-0123abcd");
        r.getStatus().checkpoint.dir = null;
        assertThat(ChildNames.checkpointDir(r)).isEqualTo(dir(s -> {}));
    }
}
