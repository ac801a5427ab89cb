package io.densecl.operator.trainer;

import java.util.Optional;

/** Fetches a trainer's live progress; an interface so tests can fake the trainer's HTTP endpoint. */
public interface ProgressClient {

    /** The progress served at {@code http://<podIp>:<port>/progress}, or empty when unreachable. */
    Optional<TrainerProgress> fetch(String podIp, int port);
}
