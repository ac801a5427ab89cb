package io.densecl.trainer.report.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scalars as TensorBoard event files ({@code events.out.tfevents.*}), one new file per attempt. The caller only
 * enqueues (a full queue drops the event and counts it); a daemon thread encodes, writes and flushes, so slow or
 * failing storage never holds up training, and an I/O error disables the log with one warning.
 *
 * <p>Resuming: the steps after the resumed checkpoint were logged by an attempt that died; {@link #open} removes
 * them from the earlier files (rewritten whole, then renamed over), and the new file starts with a
 * {@code SessionLog.START} at the first step it will log, so a TensorBoard that had already read them drops them
 * too. Every reader then sees each step once, in increasing order across the files (their names sort by start time).
 */
public final class TensorBoardLog implements AutoCloseable {
    /** The prefix every TensorBoard reader looks for. */
    public static final String PREFIX = "events.out.tfevents.";

    static final int QUEUE = 4096;
    static final String TMP_PREFIX = ".tmp-rewrite.";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)\\..*");
    private static final Item STOP = new Item(0, -1, Map.of());

    private final Path file;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread thread;
    private final OutputStream out;
    private volatile boolean failed;

    private record Item(double wallTime, long step, Map<String, Float> values) {}

    private TensorBoardLog(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
        this.thread = new Thread(this::drain, "densecl-tensorboard");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The training log of {@code attempt} in {@code dir}, resumed after {@code resumedStep} (0: a fresh run);
     * null, with a warning, when the directory cannot be written: tracking must not stop a run.
     */
    public static TensorBoardLog open(Path dir, int attempt, long resumedStep) {
        try {
            Files.createDirectories(dir);
            dropAfter(dir, resumedStep);
            Path file = dir.resolve(
                    String.format(Locale.ROOT, "%s%010d.%s.a%d", PREFIX, startSecond(dir), host(), attempt));
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            double now = System.currentTimeMillis() / 1000.0;
            out.write(TfRecord.frame(EventProto.fileVersion(now)));
            if (resumedStep > 0) {
                out.write(TfRecord.frame(EventProto.sessionStart(
                        now, resumedStep + 1, "attempt " + attempt + " resumed after step " + resumedStep)));
            }
            out.flush();
            return new TensorBoardLog(file, out);
        } catch (IOException | RuntimeException e) {
            System.err.printf("WARN TensorBoard log in %s disabled: %s%n", dir, e);
            return null;
        }
    }

    /** Enqueues one event of scalars at {@code step}; never blocks. Non-finite values are written as they are. */
    public void scalars(long step, Map<String, ? extends Number> values) {
        if (failed) return;
        Map<String, Float> v = new LinkedHashMap<>();
        values.forEach((k, x) -> {
            if (x != null) v.put(k, x.floatValue());
        });
        if (!queue.offer(new Item(System.currentTimeMillis() / 1000.0, step, v))) {
            if (dropped.incrementAndGet() == 1) {
                System.err.println("WARN TensorBoard writer is behind; dropping events (storage slow?)");
            }
        }
    }

    /** The file this attempt writes. */
    public Path file() {
        return file;
    }

    /** Events dropped because the writer was behind. */
    public long dropped() {
        return dropped.get();
    }

    /** Events written so far (the file header not counted). */
    public long written() {
        return written.get();
    }

    private void drain() {
        try {
            while (true) {
                Item it = queue.take();
                if (it == STOP) break;
                write(it);
                if (queue.isEmpty()) out.flush(); // readers tail the file: hand it to the OS once caught up
            }
            out.flush();
        } catch (IOException e) {
            failed = true;
            System.err.printf("WARN TensorBoard log %s disabled: %s%n", file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // the events already flushed are readable; nothing else to save
            }
        }
    }

    private void write(Item it) throws IOException {
        out.write(TfRecord.frame(EventProto.scalars(it.wallTime(), it.step(), it.values())));
        written.incrementAndGet();
    }

    /** Writes what is queued and closes the file, waiting at most a few seconds (a hung disk must not hold the exit). */
    @Override
    public void close() {
        try {
            if (!queue.offer(STOP, 1, TimeUnit.SECONDS)) {
                thread.interrupt();
            }
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rewrites each earlier event file without its events past {@code step} (and without a torn tail). */
    static void dropAfter(Path dir, long step) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
            for (Path leftover : ds) Files.deleteIfExists(leftover); // a rewrite killed before its rename
        }
        for (Path f : eventFiles(dir)) {
            byte[] bytes = Files.readAllBytes(f);
            List<byte[]> events = TfRecord.read(bytes);
            List<byte[]> keep = new ArrayList<>();
            for (byte[] e : events) {
                if (EventProto.step(e) <= step) keep.add(e);
            }
            byte[] kept = TfRecord.frames(keep);
            if (kept.length == bytes.length) continue;
            // no "tfevents" in the temporary name: TensorBoard would read a leftover one as an event file
            Path tmp = f.resolveSibling(TMP_PREFIX + f.getFileName().toString().substring(PREFIX.length()));
            Files.write(tmp, kept);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The event files of {@code dir} (not its subdirectories), in name order, which readers take as time order. */
    static List<Path> eventFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*")) {
            ds.forEach(p -> {
                if (Files.isRegularFile(p)) out.add(p);
            });
        }
        out.sort(null);
        return out;
    }

    /** Now, in seconds, but after every earlier file's start: names must sort in attempt order even when clocks step back. */
    private static long startSecond(Path dir) throws IOException {
        long s = System.currentTimeMillis() / 1000;
        for (Path f : eventFiles(dir)) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (m.matches()) s = Math.max(s, Long.parseLong(m.group(1)) + 1);
        }
        return s;
    }

    private static String host() {
        String h = System.getenv("HOSTNAME");
        return h == null || h.isBlank() ? "localhost" : h.strip().replaceAll("[^A-Za-z0-9.-]", "_");
    }
}
