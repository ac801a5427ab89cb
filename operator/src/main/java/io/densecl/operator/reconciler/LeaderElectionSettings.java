package io.densecl.operator.reconciler;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Optional;

/**
 * {@code densecl.leader-election.*} (env DENSECL_LEADER_ELECTION_ENABLED, _LEASE_NAME, _LEASE_NAMESPACE, as passed
 * by the Helm chart) as JOSDK's configuration. Disabled by default, so tests and local mode run without a Lease.
 */
public final class LeaderElectionSettings {

    private LeaderElectionSettings() {}

    /** The JOSDK configuration when enabled; without a namespace the Lease goes to the client's namespace. */
    public static Optional<LeaderElectionConfiguration> toConfiguration(OperatorConfig.LeaderElection le) {
        if (!le.enabled()) {
            return Optional.empty();
        }
        if (le.leaseName().isBlank()) {
            throw new IllegalArgumentException(
                    "densecl.leader-election.lease-name must not be blank when leader election is enabled");
        }
        Optional<String> namespace = le.leaseNamespace().filter(s -> !s.isBlank());
        return Optional.of(
                namespace.isEmpty()
                        ? new LeaderElectionConfiguration(le.leaseName())
                        : new LeaderElectionConfiguration(le.leaseName(), namespace.get()));
    }
}
