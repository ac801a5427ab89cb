package io.densecl.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.densecl.operator.Fixtures;
import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.densecl.operator.api.v1alpha1.DenseCLRunSpec;
import io.densecl.operator.api.v1alpha1.ResumeSpec;
import io.densecl.operator.resources.ChildNames;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** resume.fromRun costs a GET of the other run: once per generation of the run, during observe. */
class ResumeSourcesTest {

    /** A lookup that counts its GETs of other runs. */
    static final class CountingLookup extends ClusterLookup {
        final AtomicInteger gets = new AtomicInteger();
        DenseCLRun other;

        CountingLookup() {
            super(null);
        }

        @Override
        public Optional<DenseCLRun> run(String namespace, String name) {
            gets.incrementAndGet();
            return Optional.ofNullable(other);
        }
    }

    static DenseCLRun warmFrom(String fromRun, long generation) {
        DenseCLRunSpec spec = Fixtures.spec();
        spec.resume.mode = ResumeSpec.Mode.WarmStart;
        spec.resume.fromRun = fromRun;
        DenseCLRun run = Fixtures.run("warm", spec);
        run.getMetadata().setGeneration(generation);
        return run;
    }

    @Test
    void fromRunIsLookedUpOncePerGeneration() {
        CountingLookup lookup = new CountingLookup();
        lookup.other = Fixtures.run("base", Fixtures.spec());
        ResumeSources sources = new ResumeSources(lookup);
        String dir = ChildNames.checkpointDir(lookup.other);
        assertThat(sources.resolve(warmFrom("base", 1))).isEqualTo(dir);
        assertThat(sources.resolve(warmFrom("base", 1))).isEqualTo(dir);
        assertThat(lookup.gets).hasValue(1);
        assertThat(sources.resolve(warmFrom("base", 2))).isEqualTo(dir);
        assertThat(lookup.gets).hasValue(2);
        sources.forget(Fixtures.UID);
        sources.resolve(warmFrom("base", 2));
        assertThat(lookup.gets).hasValue(3);
    }

    @Test
    void aMissingRunIsLookedUpAgainAndFromPathNeedsNoLookup() {
        CountingLookup lookup = new CountingLookup();
        ResumeSources sources = new ResumeSources(lookup);
        assertThat(sources.resolve(warmFrom("base", 1))).isNull();
        assertThat(sources.resolve(warmFrom("base", 1))).isNull();
        assertThat(lookup.gets).hasValue(2); // it may be created later
        DenseCLRun byPath = warmFrom(null, 1);
        byPath.getSpec().resume.fromPath = "/other/ckpt-e1-s10";
        assertThat(sources.resolve(byPath)).isEqualTo(ChildNames.CHECKPOINT_ROOT + "/other/ckpt-e1-s10");
        assertThat(sources.resolve(Fixtures.run("plain", Fixtures.spec()))).isNull();
        assertThat(lookup.gets).hasValue(2);
    }
}
