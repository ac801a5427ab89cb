package io.densecl.bench.fleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operator's identity on the real server, as in a cluster: service account {@code densecl/densecl-operator}
 * bound to exactly the ClusterRoles the operator build generates ({@code operator/target/kubernetes/kubernetes.yml}),
 * authenticated by a bound token from the TokenRequest API. Its requests are therefore classified by priority and
 * fairness as a service account's (flow schema {@code service-accounts}, priority level {@code workload-low}) and
 * appear in the audit log under its own user name.
 */
final class OperatorAccount {
    static final String NAMESPACE = "densecl";
    static final String NAME = "densecl-operator";
    static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + NAME;

    private OperatorAccount() {}

    /** Creates the account and its bindings; returns a token valid for {@code seconds}. */
    static String create(KubernetesClient admin, Path generatedManifests, long seconds) throws IOException {
        if (!Files.isRegularFile(generatedManifests)) {
            throw new IOException("the operator's generated RBAC is missing: " + generatedManifests
                    + " (build the operator: mvn -B -q -pl operator -am package -DskipTests)");
        }
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(generatedManifests)) {
            items = admin.load(in).items();
        }
        List<ClusterRole> roles = items.stream()
                .filter(ClusterRole.class::isInstance)
                .map(ClusterRole.class::cast)
                .toList();
        if (roles.isEmpty()) {
            throw new IOException("no ClusterRole in " + generatedManifests);
        }
        admin.serviceAccounts()
                .inNamespace(NAMESPACE)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(NAME)
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        for (ClusterRole role : roles) {
            admin.rbac().clusterRoles().resource(role).create();
            admin.rbac()
                    .clusterRoleBindings()
                    .resource(new ClusterRoleBindingBuilder()
                            .withNewMetadata()
                            .withName(role.getMetadata().getName() + "-fleet-bench")
                            .endMetadata()
                            .withNewRoleRef()
                            .withApiGroup("rbac.authorization.k8s.io")
                            .withKind("ClusterRole")
                            .withName(role.getMetadata().getName())
                            .endRoleRef()
                            .addNewSubject()
                            .withKind("ServiceAccount")
                            .withName(NAME)
                            .withNamespace(NAMESPACE)
                            .endSubject()
                            .build())
                    .create();
        }
        return admin.serviceAccounts()
                .inNamespace(NAMESPACE)
                .withName(NAME)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(seconds)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
    }
}
