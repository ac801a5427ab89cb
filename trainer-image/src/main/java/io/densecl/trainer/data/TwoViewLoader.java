package io.densecl.trainer.data;

import io.densecl.trainer.util.SplitMix64;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produces two-view batches with worker threads and a prefetch window, in a fully deterministic
 * order: the epoch's permutation comes from (seed, epoch), each view's augmentation from
 * (seed, epoch, position, view). A batch depends only on (epoch, step), so resume is exact.
 * Unreadable files (also images over the pixel cap) are replaced by the next readable file of the
 * permutation, and counted; once more than the allowed fraction is unreadable the run stops with a
 * data error instead of training on what is left.
 */
public final class TwoViewLoader implements AutoCloseable {
    /** What the loader tolerates: the pixel cap per image and the fraction of unreadable files. */
    public record Limits(long maxImagePixels, double maxUnreadableFraction) {
        /** PIL's pixel cap, and no limit on unreadable files short of all of them (benchmarks, tests). */
        public static final Limits LENIENT = new Limits(ImageDecoder.DEFAULT_MAX_PIXELS, 1.0);
    }

    private final ImageSource source;
    private final Limits limits;
    private final MocoV2Augment augment;
    private final int batchSize;
    private final long seed;
    private final int prefetch;
    private final ExecutorService pool;
    private final Map<Path, String> unreadable = new ConcurrentHashMap<>();
    private final Deque<Future<HostBatch>> inFlight = new ArrayDeque<>();
    private int epoch;
    private int nextToSubmit;
    private int[] order;

    public TwoViewLoader(ImageSource source, MocoV2Augment augment, int batchSize, long seed, int workers) {
        this(source, augment, batchSize, seed, workers, Limits.LENIENT);
    }

    public TwoViewLoader(
            ImageSource source, MocoV2Augment augment, int batchSize, long seed, int workers, Limits limits) {
        if (source.size() < batchSize) {
            throw new DataException(source.size() + " images are fewer than one batch of " + batchSize);
        }
        this.source = source;
        this.limits = limits;
        this.augment = augment;
        this.batchSize = batchSize;
        this.seed = seed;
        this.prefetch = workers + 1;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "densecl-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Full batches per epoch (the last partial batch is dropped, as the official loader does). */
    public int stepsPerEpoch() {
        return source.size() / batchSize;
    }

    /** Starts (or restarts) producing batches of {@code epoch} (0-based) from {@code step}. */
    public void seek(int epoch, int step) {
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
        this.epoch = epoch;
        this.order = permutation(source.size(), seed, epoch);
        this.nextToSubmit = step;
        fill();
    }

    /** The next batch of the current epoch (blocks until it is ready). */
    public HostBatch next() {
        if (inFlight.isEmpty()) {
            throw new IllegalStateException("epoch " + epoch + " has no more batches");
        }
        Future<HostBatch> head = inFlight.removeFirst();
        fill();
        try {
            return head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Files found unreadable so far, with the reason. */
    public Map<Path, String> unreadableFiles() {
        return unreadable;
    }

    private void fill() {
        while (inFlight.size() < prefetch && nextToSubmit < stepsPerEpoch()) {
            int step = nextToSubmit++;
            int e = epoch;
            int[] ord = order;
            inFlight.addLast(pool.submit(() -> build(e, step, ord)));
        }
    }

    private HostBatch build(int epoch, int step, int[] ord) {
        int size = augment.size();
        int per = 3 * size * size;
        float[] q = new float[batchSize * per];
        float[] k = new float[batchSize * per];
        for (int i = 0; i < batchSize; i++) {
            int position = step * batchSize + i;
            RgbImage image = readableImage(ord, position);
            augment.apply(image, SplitMix64.of(seed, epoch, position, 0), q, i * per);
            augment.apply(image, SplitMix64.of(seed, epoch, position, 1), k, i * per);
        }
        return new HostBatch(epoch, step, batchSize, size, q, k);
    }

    /** The image at {@code position} of the permutation, or the next readable one after it. */
    private RgbImage readableImage(int[] ord, int position) {
        for (int probe = 0; probe < ord.length; probe++) {
            Path p = source.files().get(ord[(position + probe) % ord.length]);
            if (unreadable.containsKey(p)) {
                continue;
            }
            try {
                return ImageDecoder.decode(p, limits.maxImagePixels());
            } catch (ImageDecoder.UnreadableImageException e) {
                if (Thread.currentThread().isInterrupted()) {
                    // the batch was cancelled (seek, close): the read was cut short, the file is fine
                    throw new CancellationException("loading cancelled");
                }
                if (unreadable.putIfAbsent(p, e.getMessage()) == null) {
                    System.err.println("WARN skipping unreadable file " + e.getMessage());
                    requireEnoughReadable();
                }
            }
        }
        throw new DataException(
                "none of the " + ord.length + " files could be read (" + unreadable.size() + " unreadable)");
    }

    /**
     * Fails once more than the allowed fraction of files is known to be unreadable. The count only
     * grows, so a run that fails here would fail with the whole epoch seen too, just later.
     */
    private void requireEnoughReadable() {
        int bad = unreadable.size();
        if (bad > limits.maxUnreadableFraction() * source.size()) {
            Map.Entry<Path, String> example = unreadable.entrySet().iterator().next();
            throw new DataException(
                    String.format(
                            java.util.Locale.ROOT,
                            "%d of %d files are unreadable (%.1f%%), more than data.maxUnreadableFraction %s allows; e.g. %s",
                            bad,
                            source.size(),
                            100.0 * bad / source.size(),
                            limits.maxUnreadableFraction(),
                            example.getValue()),
                    example.getKey());
        }
    }

    /** The epoch's sample order, keyed by (seed, epoch). */
    static int[] permutation(int n, long seed, int epoch) {
        return SplitMix64.of(seed, epoch, 0x5EED).permutation(n);
    }

    /** Files known to be unreadable. */
    public Set<Path> skipped() {
        return unreadable.keySet();
    }

    @Override
    public void close() {
        inFlight.forEach(f -> f.cancel(true));
        pool.shutdownNow();
    }
}
