package io.densecl.operator.state;

import io.densecl.contract.ErrorClass;
import io.densecl.contract.ExitCodes;
import io.densecl.contract.TerminationMessage;
import io.densecl.contract.TrainerResult;
import io.densecl.operator.state.AttemptOutcome.Kind;
import java.util.Set;

/** Classifies an ended trainer pod by the contract's exit codes, disruption condition and OOM kill (docs/contract.md). */
public final class AttemptClassifier {

    /** Pod-level reasons the kubelet gives when it, not the trainer, ended the pod. */
    private static final Set<String> NODE_REASONS =
            Set.of("Evicted", "NodeLost", "Shutdown", "Terminated", "NodeShutdown", "Preempting");

    /** Pod-level reasons of a kubelet that refused to admit the pod after the scheduler placed it. */
    private static final Set<String> ADMISSION_REASONS =
            Set.of("UnexpectedAdmissionError", "NodeAffinity", "NodeAffinityMismatch", "InvalidNodeInfo");

    private AttemptClassifier() {}

    public static AttemptOutcome classify(PodView pod) {
        Integer exit = pod.exitCode();
        TerminationMessage msg = pod.message();
        String text = message(msg, exit);
        if (exit != null && exit == ExitCodes.COMPLETE && pod.state() == PodView.State.SUCCEEDED) {
            return new AttemptOutcome(Kind.SUCCESS, "Complete", ExitCodes.COMPLETE, "training complete", null);
        }
        // A disrupted pod may die with SIGKILL (137) or checkpoint on SIGTERM (75): never charge it to the budget.
        if (pod.disrupted()) {
            return AttemptOutcome.disruption(pod.disruptionReason(), exit, text);
        }
        // The kubelet ended the pod (eviction under node pressure: 137 after SIGKILL) or refused to admit it (a device
        // plugin that lost its GPUs, OutOfcpu after a race with the scheduler): the node's doing, not the trainer's.
        if (byTheNode(pod.podReason())) {
            return AttemptOutcome.disruption(
                    pod.podReason(),
                    exit,
                    "pod ended by the node: " + pod.podReason()
                            + (pod.message() == null && exit != null ? " (exit code " + exit + ")" : ""));
        }
        if (exit == null) {
            return AttemptOutcome.counted("PodFailed", null, "pod failed without a container exit code");
        }
        switch (exit) {
            case ExitCodes.USAGE, ExitCodes.DATA, ExitCodes.CONFIG -> {
                String field = msg != null && msg.error() != null ? msg.error().field() : null;
                return new AttemptOutcome(Kind.FATAL, reason(exit), exit, text, field);
            }
            case ExitCodes.CHECKPOINTED -> {
                return AttemptOutcome.disruption(reason(exit), exit, "trainer checkpointed on SIGTERM");
            }
            case ExitCodes.LOCKED -> {
                // Another trainer (an earlier attempt still stopping) holds the checkpoint lock: nobody's fault.
                return AttemptOutcome.notCounted(reason(exit), exit, text);
            }
            default -> {
                // Checked before the generic exit code: an OOM kill is a counted failure with its own reason.
                if ("OOMKilled".equals(pod.terminatedReason())) {
                    return AttemptOutcome.counted("OOMKilled", exit, "trainer container was OOM-killed");
                }
                if (exit == ExitCodes.DEVICE) {
                    return AttemptOutcome.counted(reason(exit), exit, text); // AttemptAccounting avoids the node
                }
                if (exit == ExitCodes.STORAGE) {
                    // The volume's fault: the node stays usable. The reason says which (StorageNotWritable or
                    // InsufficientStorage, from the termination message) so the user knows what to fix.
                    // A classified one (the preflight's probe or free-space rule, ENOSPC, EACCES) fails the same
                    // way on the next attempt on the same volume: Failed at once, no retry loop; an unclassified
                    // storage error (a stale NFS handle, say) may be transient and is retried.
                    var cls = msg != null && msg.error() != null ? msg.error().errorClass() : null;
                    if (cls == ErrorClass.StorageNotWritable || cls == ErrorClass.InsufficientStorage) {
                        return new AttemptOutcome(Kind.FATAL, cls.name(), exit, text, "spec.checkpoint");
                    }
                    return AttemptOutcome.counted(reason(exit), exit, text);
                }
                return AttemptOutcome.counted(exit == ExitCodes.COMPLETE ? "PodFailed" : "Error", exit, text);
            }
        }
    }

    /** Pod-level reasons of kubelet evictions and of kubelet admission failures (UnexpectedAdmissionError, OutOf...). */
    static boolean byTheNode(String podReason) {
        return podReason != null
                && (NODE_REASONS.contains(podReason)
                        || ADMISSION_REASONS.contains(podReason)
                        || podReason.startsWith("OutOf"));
    }

    /** The failure reason of a contract exit code: the termination message's result word (ConfigError, ...). */
    private static String reason(int exit) {
        return TrainerResult.ofExitCode(exit).name();
    }

    private static String message(TerminationMessage msg, Integer exit) {
        if (msg != null && msg.error() != null && msg.error().message() != null) {
            var cls = msg.error().errorClass();
            return cls == null
                    ? msg.error().message()
                    : cls + ": " + msg.error().message();
        }
        return exit == null ? "no exit code" : "exit code " + exit;
    }
}
