package io.densecl.deploy;

import static io.densecl.deploy.Manifests.NAMESPACE;
import static io.densecl.deploy.Manifests.WATCHED_VALUES;
import static io.densecl.deploy.Manifests.ofKind;
import static io.densecl.deploy.Manifests.render;
import static io.densecl.deploy.Manifests.single;
import static io.densecl.deploy.Manifests.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** helm lint --strict, helm template, and the shape of what the chart renders. */
class HelmChartTest {

    @ParameterizedTest
    @ValueSource(strings = {"", WATCHED_VALUES})
    void lintStrictPasses(String values) {
        List<String> cmd = new ArrayList<>(List.of(
                Tools.helm().toString(), "lint", "--strict", Tools.chartDir().toString(), "--namespace", NAMESPACE));
        if (!values.isEmpty()) {
            cmd.add("--values");
            cmd.add(Tools.chartDir().resolve(values).toString());
        }
        Tools.Result r = Tools.run(cmd).ok("helm lint --strict " + values);
        assertThat(r.stdout())
                .contains("0 chart(s) failed")
                .doesNotContain("[WARNING]")
                .doesNotContain("[ERROR]");
    }

    @Test
    void defaultRenderHasTheExpectedObjects() {
        List<JsonNode> docs = render("");
        Map<String, Integer> kinds = new HashMap<>();
        docs.forEach(d -> kinds.merge(d.path("kind").asText(), 1, Integer::sum));
        assertThat(kinds)
                .containsEntry("CustomResourceDefinition", 1)
                .containsEntry("ServiceAccount", 1)
                .containsEntry("ClusterRole", 1)
                .containsEntry("ClusterRoleBinding", 1)
                .containsEntry("Role", 1)
                .containsEntry("RoleBinding", 1)
                .containsEntry("Deployment", 1)
                .containsEntry("Service", 1)
                .containsEntry("NetworkPolicy", 1)
                .containsEntry("ConfigMap", 1)
                .doesNotContainKeys("ServiceMonitor", "PodMonitor", "Secret");
        for (JsonNode d : docs) {
            assertThat(d.path("metadata")
                            .path("labels")
                            .path("app.kubernetes.io/managed-by")
                            .asText())
                    .as("labels of %s", d.path("metadata").path("name"))
                    .isEqualTo("Helm");
        }
    }

    @Test
    void crdIsKeptOnUninstallAndMatchesTheGeneratedOne() {
        for (String values : List.of("", WATCHED_VALUES)) {
            JsonNode crd = single(render(values), "CustomResourceDefinition");
            assertThat(crd.path("metadata").path("name").asText()).isEqualTo("denseclruns.densecl.io");
            assertThat(crd.path("metadata")
                            .path("annotations")
                            .path("helm.sh/resource-policy")
                            .asText())
                    .isEqualTo("keep");
        }
        JsonNode crd = single(render(""), "CustomResourceDefinition");
        Path chartCopy = Tools.chartDir().resolve("files/crds/denseclruns.densecl.io-v1.yml");
        Path generated = Tools.repoRoot().resolve("crds/denseclruns.densecl.io-v1.yml");
        assertThat(Manifests.normalise(crd.path("spec")))
                .as("rendered CRD spec == files/crds copy")
                .isEqualTo(Manifests.normalise(Manifests.readYaml(chartCopy).path("spec")));
        if (Files.exists(generated)) {
            assertThat(chartCopy)
                    .as("chart CRD is stale: cp crds/denseclruns.densecl.io-v1.yml helm/densecl-operator/files/crds/")
                    .hasSameTextualContentAs(generated);
        }
    }

    @Test
    void crdCanBeLeftOut() {
        String yaml = Tools.run(List.of(
                        Tools.helm().toString(),
                        "template",
                        "x",
                        Tools.chartDir().toString(),
                        "--set",
                        "crds.install=false"))
                .ok("helm template crds.install=false")
                .stdout();
        assertThat(ofKind(Manifests.parseAll(yaml), "CustomResourceDefinition")).isEmpty();
    }

    private static List<JsonNode> rules(List<JsonNode> docs) {
        List<JsonNode> rules = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            ofKind(docs, kind).forEach(r -> r.path("rules").forEach(rules::add));
        }
        return rules;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", WATCHED_VALUES})
    void rbacIsLeastPrivilege(String values) {
        List<JsonNode> rules = rules(render(values));
        assertThat(rules).isNotEmpty();
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : rules) {
            List<String> resources = texts(rule.path("resources"));
            List<String> verbs = texts(rule.path("verbs"));
            List<String> groups = texts(rule.path("apiGroups"));
            assertThat(resources).as("no wildcard resources").doesNotContain("*");
            assertThat(verbs).as("no wildcard verbs").doesNotContain("*", "escalate", "bind", "impersonate");
            assertThat(groups).doesNotContain("*");
            assertThat(resources)
                    .as("no secrets, no exec/attach/log/proxy")
                    .doesNotContain(
                            "secrets",
                            "pods/exec",
                            "pods/attach",
                            "pods/log",
                            "pods/portforward",
                            "pods/proxy",
                            "services/proxy",
                            "nodes/proxy");
            assertThat(rule.has("nonResourceURLs")).isFalse();
            for (String g : groups) {
                for (String res : resources) {
                    for (String v : verbs) {
                        granted.add(g + "/" + res + ":" + v);
                    }
                }
            }
        }
        List<String> needed = new ArrayList<>();
        for (String v : List.of("get", "list", "watch", "patch", "update")) {
            needed.add("densecl.io/denseclruns:" + v);
        }
        needed.addAll(List.of(
                "densecl.io/denseclruns/status:patch",
                "densecl.io/denseclruns/status:update",
                "densecl.io/denseclruns/finalizers:update"));
        for (String v : List.of("get", "list", "watch", "create", "delete")) {
            needed.add("/pods:" + v);
        }
        for (String v : List.of("get", "list", "watch", "create")) {
            needed.add("/configmaps:" + v);
            needed.add("/persistentvolumeclaims:" + v);
        }
        needed.add("/configmaps:update");
        needed.addAll(List.of(
                "/events:create",
                "/events:patch",
                "coordination.k8s.io/leases:get",
                "coordination.k8s.io/leases:create",
                "coordination.k8s.io/leases:update"));
        assertThat(granted).containsAll(needed);
        assertThat(granted).noneMatch(g -> g.startsWith("/pods:") && (g.endsWith(":update") || g.endsWith(":patch")));
        assertThat(granted)
                .as("checkpoint claims and ConfigMaps are never deleted or patched by the operator")
                .doesNotContain(
                        "/persistentvolumeclaims:delete",
                        "/persistentvolumeclaims:patch",
                        "/persistentvolumeclaims:update",
                        "/configmaps:delete",
                        "/configmaps:patch");
    }

    @Test
    void watchedNamespacesGetRolesAndNothingClusterWide() {
        List<JsonNode> docs = render(WATCHED_VALUES);
        assertThat(ofKind(docs, "ClusterRole")).isEmpty();
        assertThat(ofKind(docs, "ClusterRoleBinding")).isEmpty();
        Set<String> roleNamespaces = new TreeSet<>();
        ofKind(docs, "Role")
                .forEach(r ->
                        roleNamespaces.add(r.path("metadata").path("namespace").asText()));
        assertThat(roleNamespaces).containsExactlyInAnyOrder("team-a", "team-b", NAMESPACE);
        for (JsonNode binding : ofKind(docs, "RoleBinding")) {
            JsonNode subject = binding.path("subjects").get(0);
            assertThat(subject.path("kind").asText()).isEqualTo("ServiceAccount");
            assertThat(subject.path("namespace").asText()).isEqualTo(NAMESPACE);
            assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
        }
        // leases only in the release namespace
        for (JsonNode role : ofKind(docs, "Role")) {
            boolean leases = role.path("rules").findValuesAsText("resources").contains("leases")
                    || role.toString().contains("\"leases\"");
            assertThat(leases)
                    .as("leases in %s", role.path("metadata").path("namespace"))
                    .isEqualTo(NAMESPACE.equals(
                            role.path("metadata").path("namespace").asText()));
        }
        JsonNode env = container(single(docs, "Deployment")).path("env");
        assertThat(envValue(env, "QUARKUS_OPERATOR_SDK_CONTROLLERS_DENSECLRUN_NAMESPACES"))
                .isEqualTo("team-a,team-b");
        assertThat(envValue(env, "DENSECL_LEADER_ELECTION_ENABLED")).isEqualTo("true");
        assertThat(envValue(env, "DENSECL_DEFAULT_NODE_SELECTOR")).isEqualTo("{\"nvidia.com/gpu.present\":\"true\"}");
        assertThat(envValue(env, "DENSECL_DEFAULT_TOLERATIONS")).contains("\"key\":\"nvidia.com/gpu\"");
        assertThat(single(docs, "Deployment")
                        .path("spec")
                        .path("strategy")
                        .path("type")
                        .asText())
                .isEqualTo("RollingUpdate");
    }

    static JsonNode container(JsonNode deployment) {
        JsonNode containers =
                deployment.path("spec").path("template").path("spec").path("containers");
        assertThat(containers.size()).isEqualTo(1);
        return containers.get(0);
    }

    static String envValue(JsonNode env, String name) {
        for (JsonNode e : env) {
            if (name.equals(e.path("name").asText())) {
                return e.has("value")
                        ? e.path("value").asText()
                        : e.path("valueFrom").toString();
            }
        }
        throw new AssertionError("no env " + name + " in " + env);
    }

    @Test
    void deploymentIsRestrictedWithProbesAndTheDocumentedEnv() {
        JsonNode deployment = single(render(""), "Deployment");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode c = container(deployment);
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext")
                        .path("seccompProfile")
                        .path("type")
                        .asText())
                .isEqualTo("RuntimeDefault");
        JsonNode sc = c.path("securityContext");
        assertThat(sc.path("allowPrivilegeEscalation").isBoolean()
                        && !sc.path("allowPrivilegeEscalation").asBoolean())
                .isTrue();
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(texts(sc.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(sc.path("privileged").asBoolean(false)).isFalse();
        assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();

        assertThat(c.path("livenessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/q/health/live");
        assertThat(c.path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/q/health/ready");
        assertThat(c.path("livenessProbe").path("httpGet").path("port").asText())
                .isEqualTo("http");
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(c.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(c.path("resources").path("requests").path("memory").asText()).isNotEmpty();
        assertThat(c.path("resources").path("limits").path("memory").asText()).isNotEmpty();
        assertThat(pod.path("volumes").get(0).path("name").asText()).isEqualTo("tmp");
        assertThat(pod.path("volumes").get(0).has("emptyDir")).isTrue();
        assertThat(c.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/tmp");

        JsonNode env = c.path("env");
        assertThat(envValue(env, "QUARKUS_OPERATOR_SDK_CONTROLLERS_DENSECLRUN_NAMESPACES"))
                .isEqualTo("JOSDK_ALL_NAMESPACES");
        assertThat(envValue(env, "DENSECL_DEFAULT_IMAGE")).isEqualTo("densecl-trainer:0.1.0");
        assertThat(envValue(env, "DENSECL_GPU_RESOURCE_NAME")).isEqualTo("nvidia.com/gpu");
        assertThat(envValue(env, "DENSECL_MAX_GPUS_PER_POD")).isEqualTo("8");
        assertThat(envValue(env, "DENSECL_PROGRESS_PORT")).isEqualTo("8080");
        assertThat(envValue(env, "DENSECL_DEFAULT_NODE_SELECTOR")).isEqualTo("{}");
        assertThat(envValue(env, "DENSECL_DEFAULT_TOLERATIONS")).isEqualTo("[]");
        assertThat(envValue(env, "DENSECL_LEADER_ELECTION_ENABLED")).isEqualTo("false");
        assertThat(envValue(env, "DENSECL_LEADER_ELECTION_LEASE_NAME")).isEqualTo("densecl-densecl-operator-leader");
        assertThat(envValue(env, "KUBERNETES_NAMESPACE")).contains("metadata.namespace");
        assertThat(deployment.path("spec").path("strategy").path("type").asText())
                .as("one operator at a time without leader election")
                .isEqualTo("Recreate");
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("densecl-densecl-operator");
    }

    @Test
    void twoReplicasWithoutLeaderElectionAreRefused() {
        Tools.Result r = Tools.run(List.of(
                Tools.helm().toString(),
                "template",
                "x",
                Tools.chartDir().toString(),
                "--set",
                "replicaCount=2",
                "--set",
                "leaderElection.enabled=false"));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("leaderElection");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", WATCHED_VALUES})
    void theOperatorIsToldToCreateTrainerPoliciesThatAdmitItsOwnPods(String values) {
        List<JsonNode> docs = render(values);
        JsonNode operatorLabels =
                single(docs, "Deployment").path("spec").path("selector").path("matchLabels");
        JsonNode env = single(docs, "Deployment").at("/spec/template/spec/containers/0/env");
        Map<String, JsonNode> byName = new HashMap<>();
        env.forEach(e -> byName.put(e.path("name").asText(), e));
        assertThat(byName.get("DENSECL_NETWORK_POLICY_ENABLED").path("value").asText())
                .isEqualTo("true");
        assertThat(byName.get("DENSECL_NETWORK_POLICY_OPERATOR_NAMESPACE")
                        .at("/valueFrom/fieldRef/fieldPath")
                        .asText())
                .isEqualTo("metadata.namespace");
        JsonNode podLabels = readJson(byName.get("DENSECL_NETWORK_POLICY_OPERATOR_POD_LABELS")
                .path("value")
                .asText());
        assertThat(podLabels)
                .as("the operator's podSelector is the Deployment's selector")
                .isEqualTo(operatorLabels);
        assertThat(podLabels.size()).isPositive();
        List<JsonNode> trainerPolicies = Manifests.where(
                ofKind(docs, "NetworkPolicy"),
                p -> p.path("spec").path("podSelector").toString().contains("densecl.io/"));
        if (values.isEmpty()) {
            assertThat(trainerPolicies)
                    .as("no extra peers: the operator's per-run policies are all")
                    .isEmpty();
            return;
        }
        Set<String> namespaces = new TreeSet<>();
        trainerPolicies.forEach(
                p -> namespaces.add(p.path("metadata").path("namespace").asText()));
        assertThat(namespaces).isEqualTo(Set.of("team-a", "team-b"));
        for (JsonNode p : trainerPolicies) {
            JsonNode spec = p.path("spec");
            assertThat(spec.path("podSelector")
                            .path("matchLabels")
                            .path("densecl.io/role")
                            .asText())
                    .isEqualTo("pretrain");
            assertThat(texts(spec.path("policyTypes"))).contains("Ingress");
            assertThat(spec.path("ingress").size()).as("one ingress rule").isEqualTo(1);
            JsonNode rule = spec.path("ingress").get(0);
            assertThat(rule.path("ports").size()).isEqualTo(1);
            assertThat(rule.path("ports").get(0).path("port").asInt()).isEqualTo(8080);
            assertThat(rule.path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
            assertThat(rule.path("from").size()).as("only the extra peers").isEqualTo(1);
            for (JsonNode peer : rule.path("from")) {
                assertThat(peer.has("ipBlock")).isFalse();
                assertThat(peer.path("podSelector").isMissingNode()
                                && peer.path("namespaceSelector").isMissingNode())
                        .as("every peer is selected")
                        .isFalse();
            }
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return Manifests.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void networkPolicyDisabledRendersNoPolicyAndTellsTheOperatorSo() {
        List<String> cmd = List.of(
                Tools.helm().toString(),
                "template",
                "densecl",
                Tools.chartDir().toString(),
                "--namespace",
                NAMESPACE,
                "--set",
                "networkPolicy.enabled=false",
                "--values",
                Tools.chartDir().resolve(WATCHED_VALUES).toString());
        List<JsonNode> docs =
                Manifests.parseAll(Tools.run(cmd).ok("helm template").stdout());
        assertThat(ofKind(docs, "NetworkPolicy")).isEmpty();
        JsonNode env = single(docs, "Deployment").at("/spec/template/spec/containers/0/env");
        assertThat(env.toString()).contains("{\"name\":\"DENSECL_NETWORK_POLICY_ENABLED\",\"value\":\"false\"}");
    }

    @Test
    void monitoringIsOffByDefaultAndRendersWhenEnabled() {
        assertThat(ofKind(render(""), "ServiceMonitor")).isEmpty();
        List<JsonNode> docs = render(WATCHED_VALUES);
        JsonNode sm = single(docs, "ServiceMonitor");
        assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(sm.path("spec").path("endpoints").get(0).path("path").asText())
                .isEqualTo("/q/metrics");
        assertThat(sm.path("spec").path("endpoints").get(0).path("port").asText())
                .isEqualTo("http");
        assertThat(sm.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
        JsonNode service = single(docs, "Service");
        assertThat(service.path("spec").path("ports").get(0).path("name").asText())
                .isEqualTo("http");
        assertThat(service.path("metadata").path("labels")).isNotEmpty();
        // the ServiceMonitor selects the metrics Service
        sm.path("spec")
                .path("selector")
                .path("matchLabels")
                .fields()
                .forEachRemaining(e -> assertThat(service.path("metadata")
                                .path("labels")
                                .path(e.getKey())
                                .asText())
                        .isEqualTo(e.getValue().asText()));
        JsonNode pm = single(docs, "PodMonitor");
        assertThat(texts(pm.path("spec").path("namespaceSelector").path("matchNames")))
                .containsExactly("team-a", "team-b");
    }

    @Test
    void dashboardConfigMapCarriesTheSidecarLabelAndValidJson() throws Exception {
        JsonNode cm = single(render(""), "ConfigMap");
        assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asText())
                .isEqualTo("1");
        JsonNode dashboard =
                Manifests.JSON.readTree(cm.path("data").path("densecl.json").asText());
        assertThat(dashboard.path("title").asText()).isEqualTo("DenseCL runs");
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void notesRender() {
        String out = Tools.run(List.of(
                        Tools.helm().toString(),
                        "install",
                        "densecl",
                        Tools.chartDir().toString(),
                        "--dry-run=client",
                        "--namespace",
                        NAMESPACE))
                .ok("helm install --dry-run=client")
                .stdout();
        assertThat(out).contains("kubectl get dcl").contains("helm.sh/resource-policy: keep");
    }

    /** The chart grants at least what the operator declares with @RBACRule (its own source). */
    @Test
    void rbacCoversTheOperatorsDeclaredRules() throws Exception {
        Path reconciler = Tools.repoRoot()
                .resolve("operator/src/main/java/io/densecl/operator/reconciler/DenseCLRunReconciler.java");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(reconciler), "operator source not present");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "@RBACRule\\(\\s*apiGroups = \"([^\"]*)\",\\s*resources = \"([^\"]*)\",\\s*verbs = \\{([^}]*)\\}\\s*\\)")
                .matcher(Files.readString(reconciler));
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : rules(render(""))) {
            for (String g : texts(rule.path("apiGroups"))) {
                for (String res : texts(rule.path("resources"))) {
                    texts(rule.path("verbs")).forEach(v -> granted.add(g + "/" + res + ":" + v));
                }
            }
        }
        int declared = 0;
        while (m.find()) {
            for (String verb : m.group(3).split(",")) {
                declared++;
                String v = verb.strip().replace("\"", "");
                assertThat(granted)
                        .as("operator @RBACRule %s/%s %s", m.group(1), m.group(2), v)
                        .contains(m.group(1) + "/" + m.group(2) + ":" + v);
            }
        }
        assertThat(declared).as("@RBACRule annotations found").isGreaterThan(0);
    }

    @Test
    void valuesSchemaRejectsBadValues() {
        Tools.Result r = Tools.run(List.of(
                Tools.helm().toString(),
                "template",
                "x",
                Tools.chartDir().toString(),
                "--set",
                "watchNamespaces={Team_A}"));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("watchNamespaces");
        r = Tools.run(List.of(
                Tools.helm().toString(),
                "template",
                "x",
                Tools.chartDir().toString(),
                "--set",
                "trainer.progressPort=http"));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("progressPort");
    }

    /** Every level of the values schema refuses unknown keys: a typo fails instead of silently doing nothing. */
    @Test
    void valuesSchemaRefusesUnknownKeysAtEveryLevel() {
        Map<String, String> typos = Map.of(
                "trainer.imag.repository=x",
                "imag",
                "imageRegistri=x",
                "imageRegistri",
                "podMonitor.enabeld=true",
                "enabeld",
                "admissionPolicy.allowedImagePrefix={a/}",
                "allowedImagePrefix",
                "probes.liveness.periodSecond=3",
                "periodSecond");
        for (var e : typos.entrySet()) {
            String typo = e.getKey();
            Tools.Result r = Tools.run(List.of(
                    Tools.helm().toString(), "template", "x", Tools.chartDir().toString(), "--set", typo));
            String key = e.getValue();
            assertThat(r.exitCode()).as(typo).isNotZero();
            assertThat(r.stderr()).as(typo).contains("additional properties '" + key + "' not allowed");
        }
        // the keys values.yaml documents all pass (the defaults themselves are validated by every render)
        Tools.run(List.of(
                        Tools.helm().toString(),
                        "template",
                        "x",
                        Tools.chartDir().toString(),
                        "--set",
                        "imageRegistry=example.test/ml",
                        "--set",
                        "trainer.image.tag=0.1.0-cpu"))
                .ok("documented keys");
    }

    @Test
    void theAdmissionPolicyIsOffByDefaultAndBindsToTheWatchedNamespaces() {
        assertThat(ofKind(render(""), "ValidatingAdmissionPolicy")).isEmpty();
        List<JsonNode> docs = render(WATCHED_VALUES);
        JsonNode policy = single(docs, "ValidatingAdmissionPolicy");
        JsonNode binding = single(docs, "ValidatingAdmissionPolicyBinding");
        assertThat(binding.path("spec").path("policyName").asText())
                .isEqualTo(policy.path("metadata").path("name").asText());
        assertThat(texts(binding.path("spec").path("validationActions"))).containsExactly("Deny");
        assertThat(texts(binding.path("spec")
                        .path("matchResources")
                        .path("namespaceSelector")
                        .path("matchExpressions")
                        .get(0)
                        .path("values")))
                .containsExactly("team-a", "team-b");
        JsonNode rule = policy.path("spec")
                .path("matchConstraints")
                .path("resourceRules")
                .get(0);
        assertThat(texts(rule.path("resources"))).containsExactly("denseclruns");
        assertThat(texts(rule.path("operations"))).containsExactly("CREATE", "UPDATE");
        assertThat(policy.path("spec").path("failurePolicy").asText()).isEqualTo("Fail");
        List<String> expressions = new ArrayList<>();
        policy.path("spec")
                .path("validations")
                .forEach(v -> expressions.add(v.path("expression").asText()));
        assertThat(expressions).hasSize(5);
        assertThat(expressions.get(0)).contains("[\"example.test/ml/\"].exists(p, object.spec.image.startsWith(p))");
        assertThat(expressions.get(1)).contains("in [\"research-low\",\"research-high\"]");
        assertThat(expressions.get(4)).contains("object.spec.pod.serviceAccountName in [\"densecl-s3\"]");
        // every validation has a message naming its field
        policy.path("spec")
                .path("validations")
                .forEach(v -> assertThat(v.path("messageExpression").asText()).startsWith("'spec."));
    }
}
