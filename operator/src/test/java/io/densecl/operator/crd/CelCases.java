package io.densecl.operator.crd;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The CEL case table of the CRD, shared by both tiers: {@link CrdCelRulesTest} evaluates it with cel-java (fast),
 * {@code realapi.CelRulesIT} sends it to the real kube-apiserver (what users get, cost limits included). Each case
 * edits the quick-start run; a rejected case names the field the server reports and the rule's whole message.
 */
public final class CelCases {

    public static final Path CRD = Path.of("..", "crds", "denseclruns.densecl.io-v1.yml");
    public static final Path QUICKSTART = Path.of("..", "crds", "examples", "quickstart.yaml");
    public static final Path EXAMPLES = Path.of("..", "crds", "examples");

    private CelCases() {}

    /**
     * One case: an edit of the quick-start spec and, when it must be refused, the field path the API server reports
     * ({@code spec.denseCL.momentum}, {@code spec.evaluations[0]}) and the rule's message; both null when valid. For
     * updates, {@code before} first turns the quick-start into the stored object (the edit applies on top of it).
     */
    public record Case(
            String name,
            Consumer<Map<String, Object>> before,
            Consumer<Map<String, Object>> edit,
            String field,
            String message) {

        Case(String name, Consumer<Map<String, Object>> edit, String field, String message) {
            this(name, s -> {}, edit, field, message);
        }

        public boolean valid() {
            return message == null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Specs every create must refuse. */
    public static Stream<Case> badCreates() {
        return Stream.of(
                bad(
                        "queue not divisible by batch",
                        set("denseCL", "queueSize", 250),
                        "spec",
                        "spec.denseCL.queueSize must be divisible by spec.training.batchSize"),
                bad(
                        "momentum 1.0",
                        set("denseCL", "momentum", 1.0),
                        "spec.denseCL.momentum",
                        "spec.denseCL.momentum must be in [0, 1)"),
                bad(
                        "momentum negative",
                        set("denseCL", "momentum", -0.1),
                        "spec.denseCL.momentum",
                        "spec.denseCL.momentum must be in [0, 1)"),
                bad(
                        "lossLambda above 1",
                        set("denseCL", "lossLambda", 1.5),
                        "spec.denseCL.lossLambda",
                        "spec.denseCL.lossLambda must be in [0, 1]"),
                bad(
                        "lossLambda negative",
                        set("denseCL", "lossLambda", -0.5),
                        "spec.denseCL.lossLambda",
                        "spec.denseCL.lossLambda must be in [0, 1]"),
                bad(
                        "temperature zero",
                        set("denseCL", "temperature", 0.0),
                        "spec.denseCL.temperature",
                        "spec.denseCL.temperature must be in [0.01, 1.0]"),
                // absurd values the trainer refuses (lr 1e6 exploded BatchNorm statistics to 3e14)
                bad(
                        "temperature above 1",
                        set("denseCL", "temperature", 1.5),
                        "spec.denseCL.temperature",
                        "spec.denseCL.temperature must be in [0.01, 1.0]"),
                bad(
                        "lr above 10",
                        set("training", "lr", 1e6),
                        "spec.training.lr",
                        "spec.training.lr must be in (0, 10.0]"),
                bad(
                        "weightDecay above 0.1",
                        set("training", "weightDecay", 0.2),
                        "spec.training.weightDecay",
                        "spec.training.weightDecay must be in [0, 0.1]"),
                bad(
                        "maxUnreadableFraction above 1",
                        set("data", "maxUnreadableFraction", 1.5),
                        "spec.data.maxUnreadableFraction",
                        "spec.data.maxUnreadableFraction must be in [0, 1]"),
                bad(
                        "a batch view over 2^31-1 values",
                        s -> {
                            set("training", "imageSize", 2048).accept(s);
                            set("training", "batchSize", 256).accept(s);
                        },
                        "spec.training",
                        "spec.training: 3 x imageSize^2 x batchSize must be at most 2^31-1 (one view of a batch is one host array)"),
                bad(
                        "a queue over 2^31-1 values",
                        s -> {
                            set("denseCL", "queueSize", 1 << 24).accept(s);
                            set("model", "dim", 128).accept(s);
                        },
                        "spec",
                        "spec.denseCL.queueSize x spec.model.dim must be at most 2^31-1 (each queue is one tensor)"),
                bad(
                        "existing claim and size",
                        set("checkpoint", "claimName", "ckpt"),
                        "spec.checkpoint",
                        "spec.checkpoint: set either claimName (an existing claim) or size/storageClassName (a created claim), not both"),
                bad(
                        "Resume without a source",
                        set("resume", "mode", "Resume"),
                        "spec.resume",
                        "spec.resume: fromRun or fromPath is required exactly when mode is Resume or WarmStart"),
                bad(
                        "bnGroupSize not dividing a larger batch",
                        set("denseCL", "bnGroupSize", 5),
                        "spec",
                        "spec.denseCL.bnGroupSize must divide spec.training.batchSize when the batch is larger than one group"),
                bad(
                        "a source without Resume",
                        set("resume", "fromRun", "other"),
                        "spec.resume",
                        "spec.resume: fromRun or fromPath is required exactly when mode is Resume or WarmStart"),
                bad(
                        "fromRun and fromPath",
                        s -> s.put("resume", Map.of("mode", "Resume", "fromRun", "a", "fromPath", "b")),
                        "spec.resume",
                        "spec.resume: set fromRun or fromPath, not both"),
                bad(
                        "duplicate evaluation names",
                        s -> {
                            var evals = list(s.get("evaluations"));
                            s.put("evaluations", List.of(evals.get(0), evals.get(0)));
                        },
                        "spec.evaluations",
                        "evaluation names must be unique"),
                bad(
                        "a data path leaving the claim",
                        set("data", "path", "synth/../../team-b"),
                        "spec.data.path",
                        "path must stay inside the claim: no '..' segments"),
                bad(
                        "a data path that is '..'",
                        set("data", "path", ".."),
                        "spec.data.path",
                        "path must stay inside the claim: no '..' segments"),
                bad(
                        "EveryNEpochs without everyEpochs",
                        s -> {
                            var e = new LinkedHashMap<>(
                                    map(list(s.get("evaluations")).get(0)));
                            e.put("trigger", "EveryNEpochs");
                            s.put("evaluations", List.of(e));
                        },
                        "spec.evaluations[0]",
                        "everyEpochs > 0 is required when trigger is EveryNEpochs"),
                bad(
                        "classes on a linear probe",
                        s -> {
                            var e = new LinkedHashMap<>(
                                    map(list(s.get("evaluations")).get(0)));
                            e.put("type", "linear");
                            e.put("classes", 10);
                            s.put("evaluations", List.of(e));
                        },
                        "spec.evaluations[0]",
                        "classes is the segmentation class count; linear and knn take their classes from the train/ folders"),
                // spec.pod: Restricted Pod Security whatever the run overrides
                bad(
                        "privileged container",
                        set("pod", "containerSecurityContext", Map.of("privileged", true)),
                        "spec.pod.containerSecurityContext",
                        "spec.pod.containerSecurityContext.privileged is not allowed (Restricted Pod Security)"),
                bad(
                        "added capability SYS_ADMIN",
                        set(
                                "pod",
                                "containerSecurityContext",
                                Map.of("capabilities", Map.of("add", List.of("NET_BIND_SERVICE", "SYS_ADMIN")))),
                        "spec.pod.containerSecurityContext",
                        "spec.pod.containerSecurityContext.capabilities.add may only add NET_BIND_SERVICE (Restricted Pod Security)"),
                bad(
                        "privilege escalation",
                        set("pod", "containerSecurityContext", Map.of("allowPrivilegeEscalation", true)),
                        "spec.pod.containerSecurityContext",
                        "spec.pod.containerSecurityContext.allowPrivilegeEscalation must be false (Restricted Pod Security)"),
                bad(
                        "root user",
                        set("pod", "securityContext", Map.of("runAsUser", 0)),
                        "spec.pod.securityContext",
                        "spec.pod.securityContext.runAsUser must not be 0 (Restricted Pod Security)"),
                bad(
                        "sysctls",
                        set(
                                "pod",
                                "securityContext",
                                Map.of("sysctls", List.of(Map.of("name", "kernel.shm_rmid_forced", "value", "1")))),
                        "spec.pod.securityContext",
                        "spec.pod.securityContext.sysctls are not supported"),
                bad(
                        "hostNetwork",
                        set("pod", "hostNetwork", true),
                        "spec.pod.hostNetwork",
                        "spec.pod.hostNetwork is not allowed (Baseline Pod Security)"),
                // hostPath is not in the schema: the server prunes it, the volume is left without a source
                bad(
                        "hostPath volume",
                        set("pod", "volumes", List.of(Map.of("name", "host", "hostPath", Map.of("path", "/")))),
                        "spec.pod.volumes[0]",
                        io.densecl.operator.api.v1alpha1.PodVolume.SOURCE_MESSAGE),
                bad(
                        "the operator's volume name",
                        set("pod", "volumes", List.of(Map.of("name", "tmp", "emptyDir", Map.of()))),
                        "spec.pod.volumes[0]",
                        "spec.pod.volumes[].name must not be one of the operator's volumes: data, checkpoints, tmp, config"),
                bad(
                        "a mount of no volume",
                        set("pod", "volumeMounts", List.of(Map.of("name", "cache", "mountPath", "/cache"))),
                        "spec.pod",
                        "spec.pod.volumeMounts[].name must name a volume of spec.pod.volumes"),
                bad(
                        "a mount over the checkpoints",
                        s -> {
                            set("pod", "volumes", List.of(Map.of("name", "cache", "emptyDir", Map.of())))
                                    .accept(s);
                            set("pod", "volumeMounts", List.of(Map.of("name", "cache", "mountPath", "/checkpoints")))
                                    .accept(s);
                        },
                        "spec.pod.volumeMounts",
                        "spec.pod.volumeMounts[].mountPath must not be /data, /checkpoints, /tmp, "
                                + "/etc/densecl or below /data or /checkpoints (the operator's mounts)"),
                bad(
                        "the operator's environment",
                        set("pod", "env", List.of(Map.of("name", "DENSECL_ATTEMPT", "value", "7"))),
                        "spec.pod.env",
                        "spec.pod.env must not set DENSECL_ATTEMPT, DJL_OFFLINE, OPT_OUT_TRACKING, HOME or "
                                + "DJL_CACHE_DIR (set by the operator)"),
                bad(
                        "the operator's labels",
                        set("pod", "labels", Map.of("densecl.io/run", "other")),
                        "spec.pod.labels",
                        "spec.pod.labels must not set the operator's labels (densecl.io/*, app.kubernetes.io/name, "
                                + "app.kubernetes.io/managed-by)"));
    }

    /** Edge values every create must accept. */
    public static Stream<Case> goodEdges() {
        return Stream.of(
                good("momentum 0", set("denseCL", "momentum", 0.0)),
                good("bnGroupSize dividing the batch", set("denseCL", "bnGroupSize", 8)),
                good("bnGroupSize 1", set("denseCL", "bnGroupSize", 1)),
                good("batch smaller than one group", set("denseCL", "bnGroupSize", 17)),
                good("coco recipe, lr and epochs left to it", s -> {
                    set("training", "recipe", "coco").accept(s);
                    unset("training", "lr").accept(s);
                    unset("training", "epochs").accept(s);
                }),
                good("lossLambda 0", set("denseCL", "lossLambda", 0.0)),
                good("dots inside path segments", set("data", "path", "synth..v2/a.b/...")),
                good("lossLambda 1", set("denseCL", "lossLambda", 1.0)),
                good("queue 16 = batch", set("denseCL", "queueSize", 16)),
                good("lr 10", set("training", "lr", 10.0)),
                good("weightDecay 0.1", set("training", "weightDecay", 0.1)),
                good("temperature 0.01", set("denseCL", "temperature", 0.01)),
                good("temperature 1", set("denseCL", "temperature", 1.0)),
                good("maxUnreadableFraction 0", set("data", "maxUnreadableFraction", 0.0)),
                good("2048 px at batch 128", s -> {
                    set("training", "imageSize", 2048).accept(s);
                    set("training", "batchSize", 128).accept(s);
                    set("denseCL", "queueSize", 128).accept(s);
                }),
                good("WarmStart from a run", s -> s.put("resume", Map.of("mode", "WarmStart", "fromRun", "other"))),
                good("EveryNEpochs with everyEpochs", s -> {
                    var e = new LinkedHashMap<>(map(list(s.get("evaluations")).get(0)));
                    e.put("trigger", "EveryNEpochs");
                    e.put("everyEpochs", 1);
                    s.put("evaluations", List.of(e));
                }),
                good("a VOC segmentation with its own resources and task settings", s -> {
                    var e = new LinkedHashMap<>(map(list(s.get("evaluations")).get(0)));
                    e.put("classes", 21);
                    e.put("imageSize", 512);
                    e.put("batchSize", 16);
                    e.put("backoffLimit", 0);
                    e.put("resources", Map.of("gpus", 1, "cpu", "8", "memory", "32Gi"));
                    s.put("evaluations", List.of(e));
                }),
                good("eight GPUs", set("resources", "gpus", 8)),
                good("every pod override", s -> s.put("pod", everyPodOverride())),
                good(
                        "a MIG profile as the GPU resource",
                        set("resources", "gpuResourceName", "nvidia.com/mig-1g.10gb")),
                good("sixteen evaluations", s -> {
                    var e = map(list(s.get("evaluations")).get(0));
                    List<Object> many = new java.util.ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        var copy = new LinkedHashMap<>(e);
                        copy.put("name", "evaluation-with-a-long-name-" + i);
                        many.add(copy);
                    }
                    s.put("evaluations", many);
                }));
    }

    /** Updates of the quick-start run: transition rules compare against the stored object. */
    public static Stream<Case> updates() {
        return Stream.of(
                good("no change", s -> {}),
                good("epochs grow", set("training", "epochs", 4)),
                good("suspend toggles", s -> s.put("suspend", true)),
                bad(
                        "epochs shrink",
                        set("training", "epochs", 1),
                        "spec.training.epochs",
                        "spec.training.epochs may only grow"),
                bad("backbone changes", set("model", "backbone", "resnet50"), "spec.model", "spec.model is immutable"),
                bad("hid changes", set("model", "hid", 256), "spec.model", "spec.model is immutable"),
                bad("queue changes", set("denseCL", "queueSize", 512), "spec.denseCL", "spec.denseCL is immutable"),
                bad(
                        "temperature changes",
                        set("denseCL", "temperature", 0.1),
                        "spec.denseCL",
                        "spec.denseCL is immutable"),
                bad(
                        "batch changes",
                        set("training", "batchSize", 32),
                        "spec.training.batchSize",
                        "spec.training.batchSize is immutable"),
                bad("lr changes", set("training", "lr", 0.3), "spec.training.lr", "spec.training.lr is immutable"),
                bad(
                        "seed changes",
                        set("training", "seed", 7),
                        "spec.training.seed",
                        "spec.training.seed is immutable"),
                bad(
                        "image size changes",
                        set("training", "imageSize", 96),
                        "spec.training.imageSize",
                        "spec.training.imageSize is immutable"),
                bad(
                        "workers change",
                        set("training", "workers", 4),
                        "spec.training.workers",
                        "spec.training.workers is immutable"),
                bad(
                        "recipe changes",
                        set("training", "recipe", "coco"),
                        "spec.training.recipe",
                        "spec.training.recipe is immutable"),
                bad(
                        "bnGroupSize changes",
                        set("denseCL", "bnGroupSize", 8),
                        "spec.denseCL",
                        "spec.denseCL is immutable"),
                // they decide the trajectory the checkpoints continue, or where the checkpoints are
                bad("data path changes", set("data", "path", "other"), "spec.data", "spec.data is immutable"),
                bad("data claim changes", set("data", "claimName", "other"), "spec.data", "spec.data is immutable"),
                bad(
                        "resume changes",
                        s -> s.put("resume", Map.of("mode", "WarmStart", "fromRun", "other")),
                        "spec.resume",
                        "spec.resume is immutable"),
                bad(
                        "onDelete Delete -> Retain (the claim's owner reference would stay)",
                        set("checkpoint", "onDelete", "Retain"),
                        "spec.checkpoint",
                        "spec.checkpoint: claimName, size, storageClassName and onDelete are immutable"),
                bad(
                        "checkpoint size changes",
                        set("checkpoint", "size", "2Gi"),
                        "spec.checkpoint",
                        "spec.checkpoint: claimName, size, storageClassName and onDelete are immutable"),
                bad(
                        "an existing claim replaces the created one",
                        s -> {
                            unset("checkpoint", "size").accept(s);
                            set("checkpoint", "claimName", "other").accept(s);
                        },
                        "spec.checkpoint",
                        "spec.checkpoint: claimName, size, storageClassName and onDelete are immutable"),
                good("checkpoint cadence changes", set("checkpoint", "keepLast", 5)),
                // an unset epochs or lr is the recipe's (imagenet 200 / 0.03, coco 800 / 0.3) on either side of the
                // update
                good("epochs unset: the recipe's 200 is more than 2", unset("training", "epochs")),
                update(
                        "epochs set to the recipe's the stored run took",
                        unset("training", "epochs"),
                        set("training", "epochs", 200),
                        null,
                        null),
                update(
                        "epochs set below the recipe's the stored run took",
                        unset("training", "epochs"),
                        set("training", "epochs", 199),
                        "spec.training.epochs",
                        "spec.training.epochs may only grow"),
                update(
                        "epochs below coco's 800",
                        s -> {
                            set("training", "recipe", "coco").accept(s);
                            unset("training", "epochs").accept(s);
                        },
                        set("training", "epochs", 400),
                        "spec.training.epochs",
                        "spec.training.epochs may only grow"),
                update(
                        "epochs unset below the stored 1000",
                        set("training", "epochs", 1000),
                        unset("training", "epochs"),
                        "spec.training.epochs",
                        "spec.training.epochs may only grow"),
                update(
                        "lr set to the recipe's the stored run took",
                        unset("training", "lr"),
                        set("training", "lr", 0.03),
                        null,
                        null),
                update(
                        "lr set where the stored run took the recipe's",
                        unset("training", "lr"),
                        set("training", "lr", 0.06),
                        "spec.training.lr",
                        "spec.training.lr is immutable"),
                update(
                        "lr unset where the stored run set another",
                        set("training", "lr", 0.06),
                        unset("training", "lr"),
                        "spec.training.lr",
                        "spec.training.lr is immutable"));
    }

    /** spec.pod with every override a cluster might need (all of it passes Restricted Pod Security). */
    public static Map<String, Object> everyPodOverride() {
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("labels", Map.of("kueue.x-k8s.io/queue-name", "team-a", "team", "vision"));
        pod.put("annotations", Map.of("cluster-autoscaler.kubernetes.io/safe-to-evict", "false"));
        pod.put("serviceAccountName", "densecl-s3");
        pod.put("imagePullSecrets", List.of(Map.of("name", "private-registry")));
        pod.put("runtimeClassName", "nvidia");
        pod.put(
                "env",
                List.of(
                        Map.of("name", "MLFLOW_TRACKING_URI", "value", "http://mlflow.ml:5000"),
                        Map.of(
                                "name",
                                "AWS_REGION",
                                "valueFrom",
                                Map.of("configMapKeyRef", Map.of("name", "s3", "key", "region")))));
        pod.put("envFrom", List.of(Map.of("secretRef", Map.of("name", "s3-credentials"))));
        pod.put(
                "volumes",
                List.of(
                        Map.of(
                                "name",
                                "cache",
                                "persistentVolumeClaim",
                                Map.of("claimName", "imagenet-cache", "readOnly", true)),
                        Map.of("name", "dshm", "emptyDir", Map.of("medium", "Memory", "sizeLimit", "2Gi")),
                        Map.of(
                                "name",
                                "ca",
                                "projected",
                                Map.of("sources", List.of(Map.of("configMap", Map.of("name", "ca-bundle")))))));
        pod.put(
                "volumeMounts",
                List.of(
                        Map.of("name", "cache", "mountPath", "/cache", "readOnly", true),
                        Map.of("name", "dshm", "mountPath", "/dev/shm"),
                        Map.of("name", "ca", "mountPath", "/etc/ssl/custom")));
        pod.put(
                "securityContext",
                Map.of("runAsUser", 2000, "runAsGroup", 2000, "fsGroup", 2000, "supplementalGroups", List.of(5000)));
        pod.put(
                "containerSecurityContext",
                Map.of("runAsUser", 2000, "capabilities", Map.of("add", List.of("NET_BIND_SERVICE"))));
        pod.put("hostNetwork", false);
        return pod;
    }

    static Case update(
            String name,
            Consumer<Map<String, Object>> before,
            Consumer<Map<String, Object>> edit,
            String field,
            String message) {
        return new Case(name, before, edit, field, message);
    }

    static Case bad(String name, Consumer<Map<String, Object>> edit, String field, String message) {
        return new Case(name, edit, field, message);
    }

    static Case good(String name, Consumer<Map<String, Object>> edit) {
        return new Case(name, edit, null, null);
    }

    /** Removes {@code spec.<section>.<key>}, copying the section. */
    public static Consumer<Map<String, Object>> unset(String section, String key) {
        return spec -> {
            Map<String, Object> copy = new LinkedHashMap<>(map(spec.getOrDefault(section, Map.of())));
            copy.remove(key);
            spec.put(section, copy);
        };
    }

    /** Sets {@code spec.<section>.<key>}, copying the section (the loaded maps may be shared). */
    public static Consumer<Map<String, Object>> set(String section, String key, Object value) {
        return spec -> {
            Map<String, Object> copy = new LinkedHashMap<>(map(spec.getOrDefault(section, Map.of())));
            copy.put(key, value);
            spec.put(section, copy);
        };
    }

    /** The quick-start run as a mutable map, with the case's before and edit applied to its spec. */
    public static Map<String, Object> quickstart(Case c) throws java.io.IOException {
        Map<String, Object> run = stored(c);
        c.edit().accept(spec(run));
        return run;
    }

    /** The object an update case starts from: the quick-start run with the case's before applied. */
    public static Map<String, Object> stored(Case c) throws java.io.IOException {
        Map<String, Object> run = load(QUICKSTART);
        c.before().accept(spec(run));
        return run;
    }

    public static Map<String, Object> spec(Map<String, Object> run) {
        return map(run.get("spec"));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> load(Path p) throws java.io.IOException {
        Map<String, Object> run = CrdCel.YAML.readValue(p.toFile(), LinkedHashMap.class);
        if (run.get("spec") != null) {
            run.put("spec", new LinkedHashMap<>(map(run.get("spec"))));
        }
        return run;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
