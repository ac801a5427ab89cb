package io.densecl.operator.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;

/** Renders a run into the trainer's run.json (docs/contract.md), nested like the CR spec. */
public final class RunConfigRenderer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunConfigRenderer() {
    }

    /**
     * @param resumeFromDir the resolved checkpoint directory of resume.fromRun/fromPath, or null
     */
    public static String render(DenseCLRun run, OperatorSettings settings, String resumeFromDir) {
        DenseCLRunSpec s = run.getSpec();
        ObjectNode root = JSON.createObjectNode();
        root.putObject("run").put("namespace", run.getMetadata().getNamespace())
                .put("name", run.getMetadata().getName()).put("uid", run.getMetadata().getUid());
        root.putObject("data").put("path", ChildNames.dataPath(s.data.path)).put("format", s.data.format.name());
        root.putObject("model").put("backbone", s.model.backbone).put("hid", s.model.hid).put("dim", s.model.dim);
        root.putObject("denseCL").put("queueSize", s.denseCL.queueSize).put("momentum", s.denseCL.momentum)
                .put("temperature", s.denseCL.temperature).put("lossLambda", s.denseCL.lossLambda)
                .put("lambdaWarmupIters", s.denseCL.lambdaWarmupIters);
        var t = s.training;
        root.putObject("training").put("epochs", t.epochs).put("batchSize", t.batchSize).put("lr", t.lr)
                .put("momentum", t.momentum).put("weightDecay", t.weightDecay).put("schedule", t.schedule.name())
                .put("seed", t.seed).put("imageSize", t.imageSize).put("workers", t.workers)
                .put("maxStepsPerEpoch", t.maxStepsPerEpoch);
        var c = s.checkpoint;
        root.putObject("checkpoint").put("dir", ChildNames.checkpointDir(run)).put("intervalEpochs", c.intervalEpochs)
                .put("intervalMinutes", c.intervalMinutes).put("intervalSteps", c.intervalSteps)
                .put("keepLast", c.keepLast);
        ObjectNode resume = root.putObject("resume");
        // Always "Auto": the run's own checkpoints come first so that restarts continue instead of starting
        // over. spec.resume.mode=Never therefore only means "no fromDir": with Never the run's directory carries a
        // uid prefix (ChildNames.checkpointDir), so it is empty on attempt 1 anyway. Otherwise the directory is
        // per (namespace, name, trajectory hash): a re-created run with the same spec resumes its predecessor's
        // checkpoints (and exits Complete at once if they are final). fromDir is used only while the run has no
        // checkpoint.
        ResumeSpec.Mode mode = s.resume.mode;
        resume.put("mode", "Auto");
        if (resumeFromDir == null) {
            resume.putNull("fromDir");
        } else {
            resume.put("fromDir", resumeFromDir);
        }
        resume.put("warmStart", mode == ResumeSpec.Mode.WarmStart);
        root.put("device", s.resources.gpus != null && s.resources.gpus > 0 ? "gpu0" : "cpu");
        root.put("progressPort", settings.progressPort());
        root.put("terminationLog", "/dev/termination-log");
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (Exception e) {
            throw new IllegalStateException("cannot render run.json", e);
        }
    }
}
