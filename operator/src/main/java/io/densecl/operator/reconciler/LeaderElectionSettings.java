package io.densecl.operator.reconciler;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code densecl.leader-election.*} (env DENSECL_LEADER_ELECTION_ENABLED, _LEASE_NAME, _LEASE_NAMESPACE, as passed
 * by the Helm chart). Disabled by default, so tests and local mode run without a Lease.
 */
@Singleton
public class LeaderElectionSettings {

    public static final String DEFAULT_LEASE_NAME = "densecl-operator-leader";

    final boolean enabled;
    final String leaseName;
    final String leaseNamespace;

    public LeaderElectionSettings(
            @ConfigProperty(name = "densecl.leader-election.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "densecl.leader-election.lease-name", defaultValue = DEFAULT_LEASE_NAME)
            Optional<String> leaseName,
            @ConfigProperty(name = "densecl.leader-election.lease-namespace") Optional<String> leaseNamespace) {
        this.enabled = enabled;
        this.leaseName = leaseName.filter(s -> !s.isBlank()).orElse(DEFAULT_LEASE_NAME);
        this.leaseNamespace = leaseNamespace.filter(s -> !s.isBlank()).orElse(null);
    }

    /** The JOSDK configuration when enabled; without a namespace the Lease goes to the client's namespace. */
    public Optional<LeaderElectionConfiguration> toConfiguration() {
        if (!enabled) {
            return Optional.empty();
        }
        return Optional.of(leaseNamespace == null ? new LeaderElectionConfiguration(leaseName)
                : new LeaderElectionConfiguration(leaseName, leaseNamespace));
    }
}
