package io.densecl.operator.api.v1alpha1;

/** The schema pattern of a Kubernetes resource quantity, so a bad one is refused on create, not by the pod create later. */
public final class Quantities {

    /** A non-negative decimal with an optional binary (Ki..Ei), decimal (m, k..E) or exponent suffix. */
    public static final String PATTERN =
            "^([+]?[0-9]+([.][0-9]*)?|[+]?[.][0-9]+)(([KMGTPE]i)|[mkMGTPE]|[eE][+-]?[0-9]+)?$";

    private Quantities() {}
}
