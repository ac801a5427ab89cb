package io.densecl.operator.reconciler;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.ResumeSourceStatus;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import io.densecl.operator.resources.ChildNames;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves resume.fromRun / fromPath to the checkpoint directory the trainer starts from, during observe. A
 * fromRun costs a GET of the other run, so the answer is kept per run generation (as the ConfigMap it goes into).
 */
public class ResumeSources {

    private final ClusterLookup lookup;
    private final Map<String, Resolved> byUid = new ConcurrentHashMap<>();

    /** The source resolved for one generation of a run (empty: the other run does not exist). */
    private record Resolved(Long generation, Optional<ResumeSourceStatus> source) {}

    public ResumeSources(ClusterLookup lookup) {
        this.lookup = lookup;
    }

    /** The checkpoint directory named by resume.fromRun / fromPath, or null. */
    public String resolve(DenseCLRun run) {
        ResumeSourceStatus source = resolveSource(run);
        return source == null ? null : source.dir;
    }

    /** The source named by resume.fromRun / fromPath (directory, claim, newest checkpoint), or null. */
    public ResumeSourceStatus resolveSource(DenseCLRun run) {
        ResumeSpec r = run.getSpec().resume;
        if (!blank(r.fromPath)) {
            return new ResumeSourceStatus(
                    null, null, ChildNames.CHECKPOINT_ROOT + "/" + r.fromPath.replaceAll("^/+", ""), null);
        }
        if (blank(r.fromRun)) {
            return null;
        }
        Long generation = run.getMetadata().getGeneration();
        Resolved known = byUid.get(run.getMetadata().getUid());
        if (known != null && Objects.equals(known.generation(), generation)) {
            return known.source().orElse(null);
        }
        Optional<ResumeSourceStatus> source = lookup.run(run.getMetadata().getNamespace(), r.fromRun)
                .map(other -> new ResumeSourceStatus(
                        r.fromRun,
                        other.getStatus() == null || other.getStatus().checkpoint == null
                                ? null
                                : other.getStatus().checkpoint.claimName,
                        ChildNames.checkpointDir(other),
                        other.getStatus() == null || other.getStatus().checkpoint == null
                                ? null
                                : other.getStatus().checkpoint.latest));
        if (source.isPresent() && run.getMetadata().getUid() != null) {
            byUid.put(run.getMetadata().getUid(), new Resolved(generation, source)); // a missing run may appear later
        }
        return source.orElse(null);
    }

    /** Forgets a deleted run. */
    public void forget(String uid) {
        if (uid != null) {
            byUid.remove(uid);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
