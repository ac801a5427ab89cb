package io.densecl.trainer.train;

import io.densecl.trainer.checkpoint.CheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * Commits staged checkpoints on a background thread (asynchronous checkpointing): training resumes as
 * soon as the state file is written and fsynced, while the read-back SHA-256, the manifest, the
 * rename, {@code LATEST} and pruning happen here. At most one commit is in flight; a failure surfaces
 * on the training thread at the next {@link #await()}. A process killed meanwhile leaves only a
 * temporary directory without manifest, which resume never trusts.
 */
final class CheckpointCommitter implements AutoCloseable {
    private final CheckpointStore store;
    private final int keepLast;
    private final java.util.function.Supplier<java.util.Set<Integer>> pinned;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "densecl-checkpoint-commit");
        t.setDaemon(true);
        return t;
    });
    private Future<Path> inFlight;

    CheckpointCommitter(
            CheckpointStore store, int keepLast, java.util.function.Supplier<java.util.Set<Integer>> pinned) {
        this.store = store;
        this.keepLast = keepLast;
        this.pinned = pinned;
    }

    /** Waits for the previous commit, then starts this one; {@code done} runs on the commit thread. */
    void submit(CheckpointStore.Staged staged, BiConsumer<Path, Double> done) throws IOException {
        await();
        long t0 = System.nanoTime();
        inFlight = thread.submit(() -> {
            Path dir = store.commit(staged);
            store.prune(keepLast, pinned.get());
            done.accept(dir, (System.nanoTime() - t0) / 1e9);
            return dir;
        });
    }

    /** Blocks until no commit is in flight; returns the directory of the one that was, if any. */
    Path await() throws IOException {
        Future<Path> f = inFlight;
        inFlight = null;
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while a checkpoint was being committed", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r; // classified already (StorageException: exit 73)
            }
            throw new IOException("committing a checkpoint failed: " + cause, cause);
        }
    }

    /** Lets a commit in flight finish on every exit path (its checkpoint is valid), then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
