package io.densecl.operator.reconciler;

import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.resources.TrainerPolicySettings;
import io.densecl.operator.trainer.HttpProgressClient;
import io.densecl.operator.trainer.ProgressClient;
import io.densecl.operator.trainer.ProgressPoller;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** CDI wiring: the operator's parts are plain classes, assembled here from {@link OperatorConfig}. */
@ApplicationScoped
public class OperatorBeans {

    @Produces
    @Singleton
    OperatorSettings settings(OperatorConfig config) {
        return settingsOf(config);
    }

    /** The settings of a configuration (the JSON-valued properties parsed; a malformed one stops the operator). */
    public static OperatorSettings settingsOf(OperatorConfig c) {
        var p = c.progress();
        return new OperatorSettings(
                        c.defaultImage(), c.gpuResourceName(), p.port(), p.interval(), p.timeout(), p.maxConcurrent())
                .withPodDefaults(
                        OperatorSettings.parseNodeSelector(c.defaultNodeSelector()),
                        OperatorSettings.parseTolerations(c.defaultTolerations()))
                .withMaxGpusPerPod(c.maxGpusPerPod());
    }

    @Produces
    @Singleton
    TrainerPolicySettings trainerPolicy(OperatorConfig config) {
        return trainerPolicyOf(config.networkPolicy());
    }

    /** The trainer NetworkPolicy settings of a configuration (an incomplete one stops the operator at start-up). */
    public static TrainerPolicySettings trainerPolicyOf(OperatorConfig.NetworkPolicy c) {
        if (!c.enabled()) {
            return TrainerPolicySettings.DISABLED;
        }
        return new TrainerPolicySettings(
                true,
                c.operatorNamespace().orElse(null),
                TrainerPolicySettings.parseLabels(c.operatorPodLabels().orElse(null)));
    }

    /**
     * Leader election (a coordination.k8s.io Lease), off unless {@code densecl.leader-election.enabled=true}
     * (env DENSECL_LEADER_ELECTION_ENABLED, set by the Helm chart when it runs more than one replica).
     * quarkus-operator-sdk looks this bean up when it builds the JOSDK configuration (in the profiles of
     * {@code quarkus.operator-sdk.activate-leader-election-for-profiles}, default prod); a null bean means none.
     */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        return LeaderElectionSettings.toConfiguration(config.leaderElection()).orElse(null);
    }

    @Produces
    @Singleton
    @DefaultBean
    ProgressClient progressClient(OperatorSettings settings) {
        return new HttpProgressClient(settings.progressTimeout());
    }

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    RunController runController(
            KubernetesClient client,
            OperatorSettings settings,
            TrainerPolicySettings trainerPolicy,
            ProgressClient progressClient,
            Clock clock,
            MeterRegistry registry) {
        return RunController.create(
                client, settings, trainerPolicy, ProgressPoller.of(progressClient, clock, settings), clock, registry);
    }
}
