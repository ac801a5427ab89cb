package io.densecl.operator.trainer;

import io.densecl.contract.Progress;
import java.util.Optional;

/** Fetches a trainer's live progress; an interface so tests can fake the trainer's HTTP endpoint. */
public interface ProgressClient {

    /** The progress served at {@code http://<podIp>:<port>/progress}, or empty when unreachable. */
    Optional<Progress> fetch(String podIp, int port);
}
