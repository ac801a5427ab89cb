package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.TestSettings;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.resources.RunConfigRenderer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The examples are runs a user could start with the chart as shipped: every one renders into trainer and evaluation
 * pods, names no image (the chart's trainer.image applies) and no PriorityClass (the chart ships none), and the
 * ResNet-50 one uses all eight GPUs for training and one for each evaluation, with the data each task reads.
 */
class ExamplesTest {

    static List<DenseCLRun> runs = new ArrayList<>();
    static DenseCLRun resnet50;

    @BeforeAll
    static void load() throws Exception {
        ContractDriftTest.load();
        try (Stream<Path> files = Files.list(ContractDriftTest.EXAMPLES)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                Map<String, Object> doc = CrdCelRulesTest.load(p);
                if ("DenseCLRun".equals(doc.get("kind"))) {
                    DenseCLRun run = ContractDriftTest.asRun(doc);
                    runs.add(run);
                    if (p.getFileName().toString().equals("resnet50-imagenet.yaml")) {
                        resnet50 = run;
                    }
                }
            }
        }
        assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
        assertThat(resnet50).isNotNull();
    }

    @Test
    void everyExampleRendersItsPodsWithTheChartsImageAndNoPriorityClassTheChartDoesNotShip() {
        PodFactory pods = new PodFactory(TestSettings.settings());
        for (DenseCLRun run : runs) {
            assertThat(run.getSpec().image)
                    .as("the chart's trainer.image applies")
                    .isNull();
            assertThat(run.getSpec().resources.priorityClassName)
                    .as("the chart ships no PriorityClass")
                    .isNull();
            assertThat(pods.trainerPod(run, 1, List.of())
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo(TestSettings.settings().defaultImage());
            for (EvaluationSpec e : run.getSpec().evaluations) {
                assertThat(pods.evaluationPod(run, e, "p", 1, null).getSpec().getPriorityClassName())
                        .isNull();
            }
        }
    }

    @Test
    void theResNet50RunTrainsOnAllEightGpusAndEachEvaluationGetsOneOfItsOwn() {
        PodFactory pods = new PodFactory(TestSettings.settings());
        assertThat(RunConfigRenderer.config(resnet50, TestSettings.settings(), null).devices)
                .hasSize(8);
        assertThat(pods.trainerPod(resnet50, 1, List.of())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getLimits())
                .containsEntry("nvidia.com/gpu", new Quantity("8"));
        for (EvaluationSpec e : resnet50.getSpec().evaluations) {
            Container c = pods.evaluationPod(resnet50, e, "p", 1, null)
                    .getSpec()
                    .getContainers()
                    .get(0);
            assertThat(c.getResources().getLimits()).as(e.name).containsEntry("nvidia.com/gpu", new Quantity("1"));
            assertThat(c.getCommand().get(c.getCommand().indexOf("--device") + 1))
                    .isEqualTo("gpu0");
            if (e.type == io.densecl.contract.EvaluationTask.segmentation) {
                // VOC ships no classes.txt: without --classes the trainer refuses the data set
                assertThat(c.getCommand().get(c.getCommand().indexOf("--classes") + 1))
                        .isEqualTo("21");
            } else {
                // ClassificationData reads <path>/{train,val}: never a split folder itself
                String data = c.getCommand().get(c.getCommand().indexOf("--data") + 1);
                assertThat(data).as(e.name).doesNotEndWith("/train").doesNotEndWith("/val");
            }
        }
    }
}
