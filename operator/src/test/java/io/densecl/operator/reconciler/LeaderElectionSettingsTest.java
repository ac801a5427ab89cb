package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DENSECL_LEADER_ELECTION_* -> JOSDK LeaderElectionConfiguration; off unless enabled. */
class LeaderElectionSettingsTest {

    @Test
    void disabledByDefault() {
        assertThat(new LeaderElectionSettings(false, Optional.of("x"), Optional.of("ns")).toConfiguration()).isEmpty();
    }

    @Test
    void enabledWithTheChartsLeaseNameAndNamespace() {
        var config = new LeaderElectionSettings(true, Optional.of("densecl-leader"), Optional.of("densecl-system"))
                .toConfiguration().orElseThrow();
        assertThat(config.getLeaseName()).isEqualTo("densecl-leader");
        assertThat(config.getLeaseNamespace()).contains("densecl-system");
    }

    @Test
    void blankValuesFallBackToTheDefaultNameAndTheClientsNamespace() {
        var config = new LeaderElectionSettings(true, Optional.of(" "), Optional.of("")).toConfiguration().orElseThrow();
        assertThat(config.getLeaseName()).isEqualTo(LeaderElectionSettings.DEFAULT_LEASE_NAME);
        assertThat(config.getLeaseNamespace()).isEmpty();
    }
}
