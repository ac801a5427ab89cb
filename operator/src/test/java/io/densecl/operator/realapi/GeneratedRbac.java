package io.densecl.operator.realapi;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The operator's identity exactly as the Quarkus build generates it ({@code target/kubernetes/kubernetes.yml}):
 * its ServiceAccount, ClusterRole(s) and bindings applied unchanged to the real server, except that the generated
 * ClusterRoleBinding names its ServiceAccount subject without a namespace, which the API server refuses
 * ({@code subjects[0].namespace: Required value}); the namespace is filled in. Then a token for the
 * ServiceAccount through the TokenRequest API, as the kubelet would mount one.
 */
final class GeneratedRbac {

    static final Path MANIFESTS = Path.of("target", "kubernetes", "kubernetes.yml");

    private GeneratedRbac() {}

    /** The generated objects of the given kinds. */
    static List<HasMetadata> generated(String... kinds) throws IOException {
        try (InputStream in = Files.newInputStream(MANIFESTS)) {
            List<String> wanted = List.of(kinds);
            return RealApi.admin().load(in).items().stream()
                    .filter(o -> wanted.contains(o.getKind()))
                    .toList();
        }
    }

    /** Creates the namespace, the ServiceAccount, the roles and bindings; returns the ServiceAccount's name. */
    static String install(String namespace) throws IOException {
        KubernetesClient admin = RealApi.admin();
        admin.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .endMetadata()
                        .build())
                .create();
        String serviceAccount = null;
        for (HasMetadata o : generated("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
            if (o instanceof ServiceAccount sa) {
                sa.getMetadata().setNamespace(namespace);
                serviceAccount = sa.getMetadata().getName();
            } else if (o instanceof ClusterRoleBinding b) {
                b.getSubjects().forEach(s -> inNamespace(s, namespace));
            } else if (o instanceof RoleBinding b) {
                b.getMetadata().setNamespace(namespace);
                b.getSubjects().forEach(s -> inNamespace(s, namespace));
            } else if (o instanceof Role r) {
                r.getMetadata().setNamespace(namespace);
            } else if (!(o instanceof ClusterRole)) {
                continue;
            }
            admin.resource(o).create();
        }
        if (serviceAccount == null) {
            throw new IllegalStateException("no ServiceAccount in " + MANIFESTS);
        }
        return serviceAccount;
    }

    private static void inNamespace(Subject s, String namespace) {
        if ("ServiceAccount".equals(s.getKind()) && s.getNamespace() == null) {
            s.setNamespace(namespace);
        }
    }

    /** A one-hour token of the ServiceAccount (TokenRequest API). */
    static String token(String namespace, String serviceAccount) {
        TokenRequest request = new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(3600L)
                .endSpec()
                .build();
        return RealApi.admin()
                .serviceAccounts()
                .inNamespace(namespace)
                .withName(serviceAccount)
                .tokenRequest(request)
                .getStatus()
                .getToken();
    }
}
