package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/** Emits a Kubernetes Event for each phase transition; best effort, never fails a reconcile. */
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void phaseChanged(DenseCLRun run, Phase from, Phase to, String reason, String message, Instant now) {
        boolean warning = to == Phase.Failed || to == Phase.Restarting;
        String text = (from == null ? "" : from + " -> ") + to + (message == null ? "" : ": " + message);
        record(run, warning, reason == null ? to.name() : reason, text, now);
    }

    /** A Warning that the API server refused one of the operator's writes (quota, admission webhook, invalid value). */
    public void actionFailed(DenseCLRun run, Actuator.Failure failure, Instant now) {
        record(run, true, "ActionFailed", failure.describe(), now);
    }

    private void record(DenseCLRun run, boolean warning, String reason, String text, Instant now) {
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(run.getMetadata().getName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()))
                .withNamespace(run.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(run.getApiVersion())
                .withKind(run.getKind())
                .withName(run.getMetadata().getName())
                .withNamespace(run.getMetadata().getNamespace())
                .withUid(run.getMetadata().getUid())
                .endInvolvedObject()
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(text.length() > 1000 ? text.substring(0, 1000) : text)
                .withFirstTimestamp(now.toString())
                .withLastTimestamp(now.toString())
                .withCount(1)
                .withNewSource()
                .withComponent("densecl-operator")
                .endSource()
                .withReportingComponent("densecl-operator")
                .build();
        try {
            client.resource(event).create();
        } catch (RuntimeException e) {
            LOG.debugf("event for %s not recorded: %s", run.getMetadata().getName(), e.toString());
        }
    }
}
