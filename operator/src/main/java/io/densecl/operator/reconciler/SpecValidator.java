package io.densecl.operator.reconciler;

import io.densecl.contract.ConfigViolation;
import io.densecl.contract.RunConfig;
import io.densecl.contract.RunConfigValidator;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.EvaluationSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import io.densecl.operator.resources.ChildNames;
import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.state.Observed.SpecProblem;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a spec before anything is created for it: the operator's own rules, then the trainer's (the contract's
 * validator on the rendered run.json, so a spec the trainer would refuse never gets a pod), then references to
 * claims and runs that must exist. Messages name the spec field, as kubectl users expect.
 */
public final class SpecValidator {

    /** run.json sections that are spec sections of the same name. */
    private static final List<String> SPEC_SECTIONS =
            List.of("data.", "model.", "denseCL.", "training.", "checkpoint.", "resume.");

    private SpecValidator() {}

    /** The operator's own rules (no API calls); a spec that passes them can be rendered into run.json. */
    public static Optional<SpecProblem> validate(DenseCLRunSpec s) {
        return validateOwnRules(s);
    }

    /** As {@link #validate(DenseCLRunSpec)}, plus the GPU cap of this operator (one node's GPUs). */
    public static Optional<SpecProblem> validate(DenseCLRunSpec s, OperatorSettings settings) {
        return validateOwnRules(s).or(() -> validateGpus(s, settings.maxGpusPerPod()));
    }

    /**
     * A pod asking for more GPUs than one node holds would stay Pending for ever: training is data-parallel inside
     * one pod and multi-node is not supported (docs/multi-node.md). The CRD's bound is static; this one is the
     * operator's configuration (Helm trainer.maxGpusPerPod).
     */
    static Optional<SpecProblem> validateGpus(DenseCLRunSpec s, int max) {
        Integer gpus = s.resources == null ? null : s.resources.gpus;
        if (gpus != null && gpus > max) {
            return problem(
                    "spec.resources.gpus",
                    "at most " + max + " (the GPUs of one node, operator setting "
                            + "densecl.max-gpus-per-pod / Helm trainer.maxGpusPerPod), got " + gpus
                            + ": training runs in one pod, multi-node training is not supported");
        }
        for (int i = 0; i < s.evaluations.size(); i++) {
            var own = s.evaluations.get(i).resources;
            if (own != null && own.gpus != null && own.gpus > max) {
                return problem(
                        "spec.evaluations[" + i + "].resources.gpus",
                        "at most " + max + " (the GPUs of one node, densecl.max-gpus-per-pod), got " + own.gpus);
            }
        }
        return Optional.empty();
    }

    /** The trainer's rules on the spec rendered into run.json, named by spec field. */
    public static Optional<SpecProblem> validateForTrainer(RunConfig rendered) {
        List<ConfigViolation> refused = RunConfigValidator.violations(rendered);
        if (!refused.isEmpty()) {
            ConfigViolation v = refused.get(0);
            return problem(specField(v.field()), v.message() + " (the trainer would refuse it)");
        }
        return Optional.empty();
    }

    /**
     * The spec field a run.json field comes from; fields only the operator renders (checkpoint.dir, progressPort,
     * ...) keep their run.json name, prefixed with {@code run.json:}.
     */
    static String specField(String runJsonField) {
        if (runJsonField.equals("device") || runJsonField.equals("devices")) {
            return "spec.resources.gpus";
        }
        if (runJsonField.equals("healthzStaleSeconds")) {
            return "spec.failurePolicy.trainerStaleSeconds";
        }
        if (!runJsonField.equals("checkpoint.dir") && SPEC_SECTIONS.stream().anyMatch(runJsonField::startsWith)) {
            return "spec." + runJsonField;
        }
        return "run.json:" + runJsonField;
    }

    private static Optional<SpecProblem> validateOwnRules(DenseCLRunSpec s) {
        if (s.data == null || blank(s.data.claimName)) {
            return problem("spec.data.claimName", "required: the PersistentVolumeClaim holding the training images");
        }
        if (escapes(s.data.path)) {
            return problem("spec.data.path", "path must stay inside the claim: no '..' segments");
        }
        if (!blank(s.checkpoint.claimName) && (!blank(s.checkpoint.size) || !blank(s.checkpoint.storageClassName))) {
            return problem("spec.checkpoint.claimName", "set either claimName or size/storageClassName, not both");
        }
        boolean fromSomewhere = !blank(s.resume.fromRun) || !blank(s.resume.fromPath);
        boolean needsSource = s.resume.mode == ResumeSpec.Mode.Resume || s.resume.mode == ResumeSpec.Mode.WarmStart;
        if (needsSource != fromSomewhere) {
            return problem(
                    "spec.resume.mode", "fromRun or fromPath is required exactly when mode is Resume or WarmStart");
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
            if (escapes(e.data.path)) {
                return problem(at + ".data.path", "path must stay inside the claim: no '..' segments");
            }
            if (e.trigger == EvaluationSpec.Trigger.EveryNEpochs && (e.everyEpochs == null || e.everyEpochs <= 0)) {
                return problem(at + ".everyEpochs", "must be > 0 when trigger is EveryNEpochs");
            }
        }
        return PodOverridesRules.check(s);
    }

    /** The longest run name: it is the value of the densecl.io/run label on every child (label values: 63). */
    public static final int MAX_NAME_LENGTH = 63;

    /** The label that opens an existing claim to runs as their read-write checkpoint volume. */
    public static final String LABEL_CHECKPOINT_CLAIM = "densecl.io/checkpoints";

    /** The run's name fits where the operator puts it (a label value). */
    public static Optional<SpecProblem> validateName(String name) {
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            return problem(
                    "metadata.name",
                    "at most " + MAX_NAME_LENGTH + " characters (it is the value of the " + ChildNames.LABEL_RUN
                            + " label on the run's pods), got " + name.length());
        }
        return Optional.empty();
    }

    /**
     * Checks that the claims and the run the spec refers to exist, and that an existing checkpoint claim (mounted
     * read-write) is one made for runs: created by the operator, or labelled densecl.io/checkpoints=true. Any other
     * claim of the namespace (another team's volume) is refused: a run is not a permit to write to every claim.
     */
    public static Optional<SpecProblem> validateReferences(DenseCLRun run, ClusterLookup lookup) {
        DenseCLRunSpec s = run.getSpec();
        String ns = run.getMetadata().getNamespace();
        if (!lookup.claimExists(ns, s.data.claimName)) {
            return problem("spec.data.claimName", "PersistentVolumeClaim '" + s.data.claimName + "' not found");
        }
        if (!blank(s.checkpoint.claimName)) {
            var labels = lookup.claimLabels(ns, s.checkpoint.claimName);
            if (labels.isEmpty()) {
                return problem(
                        "spec.checkpoint.claimName",
                        "PersistentVolumeClaim '" + s.checkpoint.claimName + "' not found");
            }
            if (!checkpointClaim(labels.get())) {
                return problem(
                        "spec.checkpoint.claimName",
                        "PersistentVolumeClaim '" + s.checkpoint.claimName + "' is not a checkpoint claim: label it "
                                + LABEL_CHECKPOINT_CLAIM + "=true to let runs write to it");
            }
        }
        for (int i = 0; i < s.evaluations.size(); i++) {
            String claim = s.evaluations.get(i).data.claimName;
            if (!lookup.claimExists(ns, claim)) {
                return problem(
                        "spec.evaluations[" + i + "].data.claimName",
                        "PersistentVolumeClaim '" + claim + "' not found");
            }
        }
        if (!blank(s.resume.fromRun) && lookup.runUid(ns, s.resume.fromRun).isEmpty()) {
            return problem("spec.resume.fromRun", "DenseCLRun '" + s.resume.fromRun + "' not found");
        }
        return Optional.empty();
    }

    private static boolean checkpointClaim(java.util.Map<String, String> labels) {
        return "true".equals(labels.get(LABEL_CHECKPOINT_CLAIM)) || labels.containsKey(ChildNames.LABEL_RUN);
    }

    private static Optional<SpecProblem> problem(String field, String message) {
        return Optional.of(new SpecProblem(field, message));
    }

    /** The same rule as the CRD's CEL on the path fields (an older CRD, or the mock server, does not enforce it). */
    private static boolean escapes(String path) {
        return path != null && java.util.Arrays.asList(path.split("/")).contains("..");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
