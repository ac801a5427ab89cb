package io.densecl.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PathMapperTest {

    @Test
    void rewritesMountPrefixesAtPathBoundariesLongestFirst() {
        PathMapper m = new PathMapper();
        m.map("/data", Path.of("/s/claims/d"));
        m.map("/checkpoints", Path.of("/s/claims/c"));
        m.map("/tmp", Path.of("/s/pods/p/tmp"));
        m.map("/dev/termination-log", Path.of("/s/pods/p/termination-log"));
        assertThat(
                        m.rewrite(
                                "{\"path\":\"/data/train\",\"dir\":\"/checkpoints/ns/r-1\",\"terminationLog\":\"/dev/termination-log\"}"))
                .isEqualTo(
                        "{\"path\":\"/s/claims/d/train\",\"dir\":\"/s/claims/c/ns/r-1\",\"terminationLog\":\"/s/pods/p/termination-log\"}");
        assertThat(m.rewrite("/tmp/result.json")).isEqualTo("/s/pods/p/tmp/result.json");
        assertThat(m.rewrite("/database/x")).isEqualTo("/database/x"); // not a path boundary
        assertThat(m.rewrite("/data")).isEqualTo("/s/claims/d");
    }

    @Test
    void pathsThatAreAlreadyLocalStayAsTheyAre() {
        PathMapper m = new PathMapper();
        m.map("/tmp", Path.of("/tmp/state/pods/p/tmp"));
        m.keepLocal(Path.of("/tmp/state"));
        assertThat(m.rewrite("/tmp/state/claims/c/ckpt-e4-s24")).isEqualTo("/tmp/state/claims/c/ckpt-e4-s24");
        assertThat(m.rewrite("/tmp/result.json")).isEqualTo("/tmp/state/pods/p/tmp/result.json");
    }
}
