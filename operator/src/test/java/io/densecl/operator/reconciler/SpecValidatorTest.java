package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.resources.RunConfigRenderer;
import io.densecl.operator.state.Observed.SpecProblem;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The operator's own rules first, then the trainer's on the rendered run.json, named by spec field. */
class SpecValidatorTest {

    static Optional<SpecProblem> forTrainer(Consumer<DenseCLRunSpec> edit) {
        DenseCLRunSpec spec = Fixtures.spec();
        edit.accept(spec);
        DenseCLRun run = Fixtures.run("r", spec);
        return SpecValidator.validateForTrainer(RunConfigRenderer.config(run, TestSettings.settings(), null));
    }

    @Test
    void aSpecWithoutDataFailsTheOwnRulesBeforeAnythingIsRendered() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.data = null;
        assertThat(SpecValidator.validate(spec))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.data.claimName");
    }

    @Test
    void theTrainersRulesNameTheSpecField() {
        assertThat(forTrainer(s -> {})).isEmpty();
        assertThat(forTrainer(s -> s.training.imageSize = 100)).get().satisfies(p -> {
            assertThat(p.field()).isEqualTo("spec.training.imageSize");
            assertThat(p.message()).startsWith("must be a multiple of 32").endsWith("(the trainer would refuse it)");
        });
        assertThat(forTrainer(s -> s.training.batchSize = 48))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.denseCL.queueSize");
        assertThat(forTrainer(s -> s.checkpoint.keepLast = 0))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.checkpoint.keepLast");
        assertThat(forTrainer(s -> s.data.maxImagePixels = 0L))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.data.maxImagePixels");
        assertThat(forTrainer(s -> s.failurePolicy.trainerStaleSeconds = -1))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.failurePolicy.trainerStaleSeconds");
    }

    @Test
    void theIssue18KeysAreRenderedFromTheSpec() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.data.maxImagePixels = 1_000_000L;
        spec.data.maxUnreadableFraction = 0.25;
        spec.failurePolicy.trainerStaleSeconds = 600;
        var c = RunConfigRenderer.config(Fixtures.run("r", spec), TestSettings.settings(), null);
        assertThat(c.data.maxImagePixels).isEqualTo(1_000_000L);
        assertThat(c.data.maxUnreadableFraction).isEqualTo(0.25);
        assertThat(c.healthzStaleSeconds).isEqualTo(600);
    }

    @Test
    void everyGpuOfTheRunIsRenderedAsADevice() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.resources.gpus = 8;
        var c = RunConfigRenderer.config(Fixtures.run("r", spec), TestSettings.settings(), null);
        assertThat(c.devices).containsExactly("gpu0", "gpu1", "gpu2", "gpu3", "gpu4", "gpu5", "gpu6", "gpu7");
        assertThat(c.device).isEqualTo("gpu0");
        spec.resources.gpus = 0;
        c = RunConfigRenderer.config(Fixtures.run("r", spec), TestSettings.settings(), null);
        assertThat(c.devices).containsExactly("cpu");
        assertThat(c.device).isEqualTo("cpu");
        assertThat(c.checkpoint.pinFile).isEqualTo("/etc/densecl/pins.json");
    }

    @Test
    void moreGpusThanOneNodeHoldsAreRefusedNamingTheFieldAndTheSetting() {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.resources.gpus = 8;
        assertThat(SpecValidator.validate(spec, TestSettings.settings())).isEmpty(); // the chart's default: 8
        spec.resources.gpus = 9;
        assertThat(SpecValidator.validate(spec, TestSettings.settings())).get().satisfies(p -> {
            assertThat(p.field()).isEqualTo("spec.resources.gpus");
            assertThat(p.message()).contains("at most 8", "got 9", "trainer.maxGpusPerPod", "multi-node");
        });
        assertThat(SpecValidator.validate(spec, TestSettings.settings().withMaxGpusPerPod(16)))
                .isEmpty();
        assertThat(SpecValidator.validate(spec))
                .as("without the operator's settings only its static rules")
                .isEmpty();
        spec.resources.gpus = 1;
        spec.evaluations.add(Fixtures.segmentation("seg"));
        spec.evaluations.get(0).resources = new io.densecl.operator.api.v1alpha1.EvaluationResourcesSpec();
        spec.evaluations.get(0).resources.gpus = 12;
        assertThat(SpecValidator.validate(spec, TestSettings.settings()))
                .get()
                .extracting(SpecProblem::field)
                .isEqualTo("spec.evaluations[0].resources.gpus");
    }

    @Test
    void fieldsTheOperatorRendersKeepTheirRunJsonName() {
        assertThat(SpecValidator.specField("training.workers")).isEqualTo("spec.training.workers");
        assertThat(SpecValidator.specField("device")).isEqualTo("spec.resources.gpus");
        assertThat(SpecValidator.specField("healthzStaleSeconds")).isEqualTo("spec.failurePolicy.trainerStaleSeconds");
        assertThat(SpecValidator.specField("checkpoint.dir")).isEqualTo("run.json:checkpoint.dir");
        assertThat(SpecValidator.specField("progressPort")).isEqualTo("run.json:progressPort");
    }
}
