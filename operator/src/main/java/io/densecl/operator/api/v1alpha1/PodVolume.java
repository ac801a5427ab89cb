package io.densecl.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.CSIVolumeSource;
import io.fabric8.kubernetes.api.model.ConfigMapVolumeSource;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeSource;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EphemeralVolumeSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.ProjectedVolumeSource;
import io.fabric8.kubernetes.api.model.SecretVolumeSource;

/**
 * An extra volume of the trainer and evaluation pods, limited to the volume types Restricted Pod Security allows.
 * Any other type (hostPath, nfs, ...) is not in the schema: the API server prunes it, which leaves no source, and
 * the rule below then refuses the volume.
 */
@JsonClassDescription(
        "An extra volume of the trainer and evaluation pods, one of the volume types Restricted Pod Security "
                + "allows (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret).")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = PodVolume.EXACTLY_ONE_SOURCE, message = PodVolume.SOURCE_MESSAGE)
@ValidationRule(
        value = "!(self.name in " + PodVolume.RESERVED_NAMES_CEL + ")",
        message = "spec.pod.volumes[].name must not be one of the operator's volumes: data, checkpoints, tmp, config")
public class PodVolume {

    /** Volume names the operator's own volumes use. */
    public static final String RESERVED_NAMES_CEL = "['data', 'checkpoints', 'tmp', 'config']";

    static final String EXACTLY_ONE_SOURCE =
            "[has(self.configMap), has(self.csi), has(self.downwardAPI), has(self.emptyDir), "
                    + "has(self.ephemeral), has(self.persistentVolumeClaim), has(self.projected), has(self.secret)]"
                    + ".filter(x, x).size() == 1";

    /** The refusal of a volume with no allowed source (also the operator's message). */
    public static final String SOURCE_MESSAGE =
            "spec.pod.volumes[] must set exactly one of configMap, csi, downwardAPI, "
                    + "emptyDir, ephemeral, persistentVolumeClaim, projected, secret (Restricted Pod Security: hostPath and the "
                    + "other volume types are not allowed)";

    /** Name of the volume, referenced by spec.pod.volumeMounts[].name (a DNS label). */
    @JsonPropertyDescription("Name of the volume, referenced by spec.pod.volumeMounts[].name (a DNS label).")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    public String name;

    /** A ConfigMap's keys as files. */
    @JsonPropertyDescription("A ConfigMap's keys as files.")
    public ConfigMapVolumeSource configMap;

    /** A Secret's keys as files. */
    @JsonPropertyDescription("A Secret's keys as files.")
    public SecretVolumeSource secret;

    /** A scratch directory that lives as long as the pod. */
    @JsonPropertyDescription("A scratch directory that lives as long as the pod.")
    public EmptyDirVolumeSource emptyDir;

    /** An existing PersistentVolumeClaim of the run's namespace. */
    @JsonPropertyDescription("An existing PersistentVolumeClaim of the run's namespace.")
    public PersistentVolumeClaimVolumeSource persistentVolumeClaim;

    /** Several ConfigMaps, Secrets, downward API items or service account tokens in one directory. */
    @JsonPropertyDescription(
            "Several ConfigMaps, Secrets, downward API items or service account tokens in one directory.")
    public ProjectedVolumeSource projected;

    /** Pod metadata as files. */
    @JsonPropertyDescription("Pod metadata as files.")
    public DownwardAPIVolumeSource downwardAPI;

    /** A CSI driver's inline ephemeral volume. */
    @JsonPropertyDescription("A CSI driver's inline ephemeral volume.")
    public CSIVolumeSource csi;

    /** A claim created with the pod and deleted with it (generic ephemeral volume). */
    @JsonPropertyDescription("A claim created with the pod and deleted with it (generic ephemeral volume).")
    public EphemeralVolumeSource ephemeral;
}
