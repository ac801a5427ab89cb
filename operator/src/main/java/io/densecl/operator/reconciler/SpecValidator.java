package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.state.Observed.SpecProblem;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks what the CRD schema and CEL cannot: values the trainer does not know, and references to
 * claims and runs that must exist. Messages name the field, as kubectl users expect.
 */
public final class SpecValidator {

    static final List<String> BACKBONES = List.of("resnet18", "resnet34", "resnet50", "resnet101");

    private SpecValidator() {
    }

    /** Checks that need no API calls. */
    public static Optional<SpecProblem> validate(DenseCLRunSpec s) {
        if (s.data == null || blank(s.data.claimName)) {
            return problem("spec.data.claimName", "required: the PersistentVolumeClaim holding the training images");
        }
        if (!BACKBONES.contains(s.model.backbone)) {
            return problem("spec.model.backbone", "unknown backbone '" + s.model.backbone + "'; expected one of " + BACKBONES);
        }
        if (s.training.batchSize == null || s.training.batchSize <= 0) {
            return problem("spec.training.batchSize", "must be > 0");
        }
        if (s.denseCL.queueSize == null || s.denseCL.queueSize % s.training.batchSize != 0) {
            return problem("spec.denseCL.queueSize", "must be a multiple of spec.training.batchSize ("
                    + s.training.batchSize + ")");
        }
        if (!blank(s.checkpoint.claimName) && (!blank(s.checkpoint.size) || !blank(s.checkpoint.storageClassName))) {
            return problem("spec.checkpoint.claimName", "set either claimName or size/storageClassName, not both");
        }
        boolean fromSomewhere = !blank(s.resume.fromRun) || !blank(s.resume.fromPath);
        boolean needsSource = s.resume.mode == ResumeSpec.Mode.Resume || s.resume.mode == ResumeSpec.Mode.WarmStart;
        if (needsSource != fromSomewhere) {
            return problem("spec.resume.mode", "fromRun or fromPath is required exactly when mode is Resume or WarmStart");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < s.evaluations.size(); i++) {
            EvaluationSpec e = s.evaluations.get(i);
            String at = "spec.evaluations[" + i + "]";
            if (blank(e.name) || !names.add(e.name)) {
                return problem(at + ".name", "required and unique");
            }
            if (e.data == null || blank(e.data.claimName)) {
                return problem(at + ".data.claimName", "required");
            }
            if (e.trigger == EvaluationSpec.Trigger.EveryNEpochs && (e.everyEpochs == null || e.everyEpochs <= 0)) {
                return problem(at + ".everyEpochs", "must be > 0 when trigger is EveryNEpochs");
            }
        }
        return Optional.empty();
    }

    /** Checks that the claims and the run the spec refers to exist. */
    public static Optional<SpecProblem> validateReferences(DenseCLRun run, ClusterLookup lookup) {
        DenseCLRunSpec s = run.getSpec();
        String ns = run.getMetadata().getNamespace();
        if (!lookup.claimExists(ns, s.data.claimName)) {
            return problem("spec.data.claimName", "PersistentVolumeClaim '" + s.data.claimName + "' not found");
        }
        if (!blank(s.checkpoint.claimName) && !lookup.claimExists(ns, s.checkpoint.claimName)) {
            return problem("spec.checkpoint.claimName", "PersistentVolumeClaim '" + s.checkpoint.claimName + "' not found");
        }
        for (int i = 0; i < s.evaluations.size(); i++) {
            String claim = s.evaluations.get(i).data.claimName;
            if (!lookup.claimExists(ns, claim)) {
                return problem("spec.evaluations[" + i + "].data.claimName", "PersistentVolumeClaim '" + claim + "' not found");
            }
        }
        if (!blank(s.resume.fromRun) && lookup.runUid(ns, s.resume.fromRun).isEmpty()) {
            return problem("spec.resume.fromRun", "DenseCLRun '" + s.resume.fromRun + "' not found");
        }
        return Optional.empty();
    }

    /** The checkpoint directory named by resume.fromRun / fromPath, or null. */
    public static String resumeFromDir(DenseCLRun run, ClusterLookup lookup) {
        ResumeSpec r = run.getSpec().resume;
        if (!blank(r.fromPath)) {
            return ChildNames.CHECKPOINT_ROOT + "/" + r.fromPath.replaceAll("^/+", "");
        }
        if (!blank(r.fromRun)) {
            String ns = run.getMetadata().getNamespace();
            return lookup.run(ns, r.fromRun).map(ChildNames::checkpointDir).orElse(null);
        }
        return null;
    }

    private static Optional<SpecProblem> problem(String field, String message) {
        return Optional.of(new SpecProblem(field, message));
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
