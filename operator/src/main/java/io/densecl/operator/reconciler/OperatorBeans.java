package io.densecl.operator.reconciler;

import io.densecl.operator.resources.OperatorSettings;
import io.densecl.operator.resources.PodFactory;
import io.densecl.operator.state.RunStateMachine;
import io.densecl.operator.trainer.HttpProgressClient;
import io.densecl.operator.trainer.ProgressClient;
import io.densecl.operator.trainer.ProgressPoller;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** CDI wiring: the operator's parts are plain classes, assembled here from configuration. */
@ApplicationScoped
public class OperatorBeans {

    @Produces
    @Singleton
    OperatorSettings settings(
            @ConfigProperty(name = "densecl.default-image", defaultValue = "densecl-trainer:0.1.0") String image,
            @ConfigProperty(name = "densecl.gpu-resource-name", defaultValue = "nvidia.com/gpu") String gpu,
            @ConfigProperty(name = "densecl.progress.port", defaultValue = "8080") int port,
            @ConfigProperty(name = "densecl.progress.interval", defaultValue = "30s") Duration interval,
            @ConfigProperty(name = "densecl.progress.timeout", defaultValue = "2s") Duration timeout,
            @ConfigProperty(name = "densecl.progress.max-concurrent", defaultValue = "4") int maxConcurrent,
            @ConfigProperty(name = "densecl.default-node-selector", defaultValue = "{}") String nodeSelector,
            @ConfigProperty(name = "densecl.default-tolerations", defaultValue = "[]") String tolerations) {
        return new OperatorSettings(image, gpu, port, interval, timeout, maxConcurrent)
                .withPodDefaults(OperatorSettings.parseNodeSelector(nodeSelector), OperatorSettings.parseTolerations(tolerations));
    }

    /**
     * Leader election (a coordination.k8s.io Lease), off unless {@code densecl.leader-election.enabled=true}
     * (env DENSECL_LEADER_ELECTION_ENABLED, set by the Helm chart when it runs more than one replica).
     * quarkus-operator-sdk looks this bean up when it builds the JOSDK configuration (in the profiles of
     * {@code quarkus.operator-sdk.activate-leader-election-for-profiles}, default prod); a null bean means none.
     */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(LeaderElectionSettings le) {
        return le.toConfiguration().orElse(null);
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
    RunController runController(KubernetesClient client, OperatorSettings settings, ProgressClient progressClient,
            Clock clock, MeterRegistry registry) {
        ClusterLookup lookup = new ClusterLookup(client);
        ProgressPoller poller = new ProgressPoller(progressClient, clock, settings.progressInterval(),
                settings.progressMaxConcurrent(), settings.progressPort());
        return new RunController(new RunObserver(poller, lookup, clock), new RunStateMachine(settings.progressInterval()),
                new Actuator(client, new PodFactory(settings)), new StatusAggregator(), new EventRecorder(client),
                new OperatorMetrics(registry), settings, lookup);
    }
}
