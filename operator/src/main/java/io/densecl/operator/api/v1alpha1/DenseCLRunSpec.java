package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.densecl.contract.Limits;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The desired pre-training run: data, model, DenseCL and optimiser settings, checkpoints and evaluations. */
@JsonClassDescription(
        "The desired pre-training run: data, model, DenseCL and optimiser settings, checkpoints and evaluations.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.denseCL.queueSize % self.training.batchSize == 0",
        message = "spec.denseCL.queueSize must be divisible by spec.training.batchSize")
@ValidationRule(
        value = "self.denseCL.queueSize * self.model.dim <= " + Limits.MAX_TENSOR_VALUES,
        message = "spec.denseCL.queueSize x spec.model.dim must be at most 2^31-1 (each queue is one tensor)")
@ValidationRule(
        value =
                "self.training.batchSize <= self.denseCL.bnGroupSize || self.training.batchSize % self.denseCL.bnGroupSize == 0",
        message =
                "spec.denseCL.bnGroupSize must divide spec.training.batchSize when the batch is larger than one group")
public class DenseCLRunSpec {

    /** Whether the run is suspended: the trainer pod is stopped after a checkpoint and restarted when set back to false. */
    @JsonPropertyDescription(
            "Whether the run is suspended: the trainer pod is stopped after a checkpoint and restarted when set back to false.")
    @Default("false")
    public Boolean suspend = false;

    /** Container image of the DenseCL trainer; empty means the operator's default image. */
    @JsonPropertyDescription("Container image of the DenseCL trainer; empty means the operator's default image.")
    public String image;

    /** Compute resources and placement of the trainer pods. */
    @JsonPropertyDescription("Compute resources and placement of the trainer pods.")
    @Default("{}")
    public ResourcesSpec resources = new ResourcesSpec();

    /** Additions to the trainer and evaluation pods: service account, pull secrets, runtime class, env, volumes, labels. */
    @JsonPropertyDescription(
            "Additions to the trainer and evaluation pods so that they fit the cluster: service account, image "
                    + "pull secrets, runtime class, environment, extra volumes and mounts, labels, annotations, security settings; "
                    + "Restricted Pod Security holds whatever is set.")
    public PodOverridesSpec pod = new PodOverridesSpec();

    /** The training images; immutable after creation (they decide the trajectory the checkpoints continue). */
    @JsonPropertyDescription("The training images; immutable after creation.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.data is immutable")
    public TrainingDataSpec data = new TrainingDataSpec();

    /** The backbone and projection heads; immutable after creation. */
    @JsonPropertyDescription("The backbone and projection heads; immutable after creation.")
    @Default("{}")
    @ValidationRule(value = "self == oldSelf", message = "spec.model is immutable")
    public ModelSpec model = new ModelSpec();

    /** DenseCL hyper-parameters; immutable after creation. */
    @JsonPropertyDescription("DenseCL hyper-parameters; immutable after creation.")
    @Default("{}")
    @ValidationRule(value = "self == oldSelf", message = "spec.denseCL is immutable")
    public DenseCLSpec denseCL = new DenseCLSpec();

    /** Optimiser and data-loading settings; only epochs may change after creation, and only grow. */
    @JsonPropertyDescription(
            "Optimiser and data-loading settings; only epochs may change after creation, and only grow.")
    @Default("{}")
    public TrainingSpec training = new TrainingSpec();

    /**
     * Where and how often checkpoints are written; the storage (claimName, size, storageClassName) and onDelete are
     * immutable: a new claim would silently restart from scratch, and onDelete is the claim's owner reference.
     */
    @JsonPropertyDescription(
            "Where and how often checkpoints are written; claimName, size, storageClassName and onDelete "
                    + "are immutable after creation.")
    @Default("{}")
    @ValidationRule(
            value =
                    "self.onDelete == oldSelf.onDelete && has(self.claimName) == has(oldSelf.claimName) && (!has(self.claimName) || self.claimName == oldSelf.claimName) && has(self.size) == has(oldSelf.size) && (!has(self.size) || self.size == oldSelf.size) && has(self.storageClassName) == has(oldSelf.storageClassName) && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",
            message = "spec.checkpoint: claimName, size, storageClassName and onDelete are immutable")
    public CheckpointSpec checkpoint = new CheckpointSpec();

    /** Where training starts from: its own latest checkpoint, nothing, or another run's checkpoint; immutable. */
    @JsonPropertyDescription(
            "Where training starts from: its own latest checkpoint, nothing, or another run's checkpoint; "
                    + "immutable after creation.")
    @Default("{}")
    @ValidationRule(value = "self == oldSelf", message = "spec.resume is immutable")
    public ResumeSpec resume = new ResumeSpec();

    /** Budgets for failures and disruptions, and the progress deadline. */
    @JsonPropertyDescription("Budgets for failures and disruptions, and the progress deadline.")
    @Default("{}")
    public FailurePolicySpec failurePolicy = new FailurePolicySpec();

    /** Downstream evaluations of the pre-trained backbone. */
    @JsonPropertyDescription("Downstream evaluations of the pre-trained backbone.")
    @Size(max = 16)
    @ValidationRule(
            value = "self.all(e, self.exists_one(f, f.name == e.name))",
            message = "evaluation names must be unique")
    public List<EvaluationSpec> evaluations = new ArrayList<>();

    /** Seconds a trainer pod gets after SIGTERM to finish its step and write a checkpoint; at most an hour. */
    @JsonPropertyDescription(
            "Seconds a trainer pod gets after SIGTERM to finish its step and write a checkpoint; at most 3600 "
                    + "(a pod on a lost node blocks the next attempt that long).")
    @Default("300")
    @Min(0)
    @Max(3600)
    public Long terminationGracePeriodSeconds = 300L;
}
