package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A DenseCL self-supervised pre-training run with its downstream evaluations. */
@Group("densecl.io")
@Version("v1alpha1")
@ShortNames("dcl")
@JsonClassDescription("A DenseCL self-supervised pre-training run with its downstream evaluations.")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Epoch",
        jsonPath = ".status.progress.epoch",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Progress%",
        jsonPath = ".status.progress.percent",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Loss",
        jsonPath = ".status.trainingMetrics.loss",
        type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
        name = "Ckpt",
        jsonPath = ".status.checkpoint.latest.epoch",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Restarts",
        jsonPath = ".status.restarts.total",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Best", jsonPath = ".status.bestEvaluation", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class DenseCLRun extends CustomResource<DenseCLRunSpec, DenseCLRunStatus> implements Namespaced {

    /** The desired run; CEL rules keep its hyper-parameters immutable. */
    @Override
    @JsonPropertyDescription(
            "The desired pre-training run: data, model, DenseCL and optimiser settings, checkpoints and evaluations.")
    public DenseCLRunSpec getSpec() {
        return super.getSpec();
    }

    /** The observed state, written by the operator only. */
    @Override
    @JsonPropertyDescription("The observed state of the run, written only by the operator's status aggregator.")
    public DenseCLRunStatus getStatus() {
        return super.getStatus();
    }

    @Override
    protected DenseCLRunSpec initSpec() {
        return new DenseCLRunSpec();
    }
}
