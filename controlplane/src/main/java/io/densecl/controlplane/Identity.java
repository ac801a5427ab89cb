package io.densecl.controlplane;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * A user of the control plane authenticated by a static bearer token (kube-apiserver
 * {@code --token-auth-file}): the administrator, the controller-manager, the scheduler and kubelets,
 * each with the name and groups the API server's bootstrap RBAC policy expects of it.
 */
public record Identity(String user, String uid, List<String> groups, String token) {

    /** The administrator's user name. */
    public static final String ADMIN = "densecl-admin";

    private static final SecureRandom RANDOM = new SecureRandom();

    public Identity {
        groups = List.copyOf(groups);
    }

    /** A user with a fresh random token. */
    public static Identity of(String user, String... groups) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return new Identity(user, user, List.of(groups), HexFormat.of().formatHex(bytes));
    }

    /** Cluster administrator (group system:masters, bound to cluster-admin by the bootstrap policy). */
    public static Identity admin() {
        return of(ADMIN, "system:masters");
    }

    /** The kubelet of node {@code name}: authorised by the Node authorizer and NodeRestriction. */
    public static Identity node(String name) {
        return of("system:node:" + name, "system:nodes");
    }

    /** One line of the token file: token,user,uid,"group1,group2". */
    String tokenFileLine() {
        return token + "," + user + "," + uid + ",\"" + String.join(",", groups) + "\"";
    }
}
