package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.densecl.operator.TestSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DENSECL_LEADER_ELECTION_* -> JOSDK LeaderElectionConfiguration; off unless enabled. */
class LeaderElectionSettingsTest {

    record Values(boolean enabled, String leaseName, Optional<String> leaseNamespace)
            implements OperatorConfig.LeaderElection {}

    @Test
    void disabledByDefault() {
        assertThat(TestSettings.config().leaderElection().enabled()).isFalse();
        assertThat(LeaderElectionSettings.toConfiguration(TestSettings.config().leaderElection()))
                .isEmpty();
        assertThat(TestSettings.config().leaderElection().leaseName()).isEqualTo("densecl-operator-leader");
    }

    @Test
    void enabledWithTheChartsLeaseNameAndNamespace() {
        var config = LeaderElectionSettings.toConfiguration(
                        new Values(true, "densecl-leader", Optional.of("densecl-system")))
                .orElseThrow();
        assertThat(config.getLeaseName()).isEqualTo("densecl-leader");
        assertThat(config.getLeaseNamespace()).contains("densecl-system");
    }

    @Test
    void aBlankNamespaceMeansTheClientsAndABlankNameIsRefused() {
        var config = LeaderElectionSettings.toConfiguration(new Values(true, "l", Optional.of(" ")))
                .orElseThrow();
        assertThat(config.getLeaseNamespace()).isEmpty();
        assertThatThrownBy(() -> LeaderElectionSettings.toConfiguration(new Values(true, " ", Optional.empty())))
                .hasMessageContaining("densecl.leader-election.lease-name");
    }
}
