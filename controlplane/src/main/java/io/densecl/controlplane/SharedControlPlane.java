package io.densecl.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One control plane (etcd, kube-apiserver, kube-controller-manager; no scheduler) shared by every test
 * class of a JVM: starting one takes ~10 s, and test classes isolate themselves by namespace. Stopped when
 * the JVM exits (the control plane's own shutdown hook). The controller-manager is there for what tests rely on from a real cluster: the garbage
 * collector, the namespace controller and every namespace's default service account.
 */
public final class SharedControlPlane {

    /** A kubelet identity tests may use for a fake node (authorised by the Node authorizer and NodeRestriction). */
    public static final String NODE = "densecl-test-node";

    private static ControlPlane instance;

    private SharedControlPlane() {}

    public static synchronized ControlPlane get() {
        if (instance == null) {
            try {
                instance = ControlPlane.builder()
                        .withControllerManager()
                        .identity(Identity.of("densecl-nobody"))
                        .node(NODE)
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test control plane", e);
            }
        }
        return instance;
    }
}
