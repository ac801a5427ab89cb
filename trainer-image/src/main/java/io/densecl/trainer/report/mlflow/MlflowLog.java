package io.densecl.trainer.report.mlflow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * The run's rows logged to an MLflow tracking server ({@code MLFLOW_TRACKING_URI}, experiment
 * {@code MLFLOW_EXPERIMENT_NAME} or {@value #DEFAULT_EXPERIMENT}) through {@code org.mlflow:mlflow-client}. All
 * network work (finding the experiment, creating the run, each batch) happens on a daemon thread; the caller only
 * enqueues, a full queue drops rows, and a server that keeps failing disables the log with one warning each way.
 * Every attempt logs into the same MLflow run, whose id is kept in {@value #RUN_ID_FILE} beside the checkpoints.
 */
public final class MlflowLog implements AutoCloseable {
    public static final String ENV_URI = "MLFLOW_TRACKING_URI";
    public static final String ENV_EXPERIMENT = "MLFLOW_EXPERIMENT_NAME";
    static final String DEFAULT_EXPERIMENT = "densecl";
    static final String RUN_ID_FILE = "mlflow-run-id";
    static final int QUEUE = 1024;
    static final int MAX_BATCH = 900;
    /** Consecutive failed batches after which the log gives up (a server that is down stays down for a while). */
    static final int MAX_FAILURES = 5;
    /** Tries per batch (a fresh connection each). */
    static final int RETRIES = 3;

    private static final Row STOP = new Row(-1, 0, Map.of());

    private final String uri;
    private final String experiment;
    private final Path runIdFile;
    private final int attempt;
    private final long resumedStep;
    private final BlockingQueue<Row> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong logged = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean disabled;
    private volatile String runId;

    private record Row(long step, long timestampMillis, Map<String, Double> values) {}

    private MlflowLog(String uri, String experiment, Path runIdFile, int attempt, long resumedStep) {
        this.uri = uri;
        this.experiment = experiment;
        this.runIdFile = runIdFile;
        this.attempt = attempt;
        this.resumedStep = resumedStep;
        this.thread = new Thread(this::drain, "densecl-mlflow");
        thread.setDaemon(true);
        thread.start();
    }

    /** The log when {@code env} names a tracking server, else null. */
    public static MlflowLog open(Map<String, String> env, Path checkpointRoot, int attempt, long resumedStep) {
        String uri = env.get(ENV_URI);
        if (uri == null || uri.isBlank()) return null;
        String exp = env.getOrDefault(ENV_EXPERIMENT, DEFAULT_EXPERIMENT);
        return new MlflowLog(
                uri.strip(),
                exp.isBlank() ? DEFAULT_EXPERIMENT : exp.strip(),
                checkpointRoot.resolve(RUN_ID_FILE),
                attempt,
                resumedStep);
    }

    /** Enqueues one row of metrics at {@code step}; never blocks. */
    public void log(long step, Map<String, Double> values) {
        if (disabled) return;
        if (!queue.offer(new Row(step, System.currentTimeMillis(), values)) && dropped.incrementAndGet() == 1) {
            System.err.println("WARN MLflow logging is behind; dropping rows");
        }
    }

    /** The MLflow run id, once the run exists. */
    public String runId() {
        return runId;
    }

    /** Rows the server accepted. */
    public long logged() {
        return logged.get();
    }

    private void drain() {
        MlflowClient client = null;
        int failures = 0;
        try {
            while (!disabled) {
                Row first = queue.take();
                if (first == STOP) break;
                List<Row> rows = new ArrayList<>(List.of(first));
                boolean stop = false;
                for (Row r; (r = queue.poll()) != null; ) {
                    if (r == STOP) {
                        stop = true;
                        break;
                    }
                    rows.add(r);
                }
                for (int tryNo = 1; ; tryNo++) {
                    try {
                        if (client == null) client = new MlflowClient(uri);
                        send(client, rows);
                        failures = 0;
                        break;
                    } catch (RuntimeException | IOException e) {
                        // a fresh client: the server may have closed a kept-alive connection the pool still holds
                        if (client != null) client.close();
                        client = null;
                        if (tryNo < RETRIES) {
                            Thread.sleep(500L * tryNo);
                            continue;
                        }
                        if (++failures == 1) System.err.printf("WARN MLflow at %s: %s (rows dropped)%n", uri, e);
                        if (failures >= MAX_FAILURES) {
                            disabled = true;
                            System.err.printf("WARN MLflow logging disabled after %d failed batches%n", failures);
                        }
                        break;
                    }
                }
                if (stop) break;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (client != null) client.close();
        }
    }

    private void send(MlflowClient client, List<Row> rows) throws IOException {
        if (runId == null) runId = run(client);
        List<Service.Metric> m = metrics(rows);
        for (int i = 0; i < m.size(); i += MAX_BATCH) { // the server refuses batches over 1000 metrics
            client.logBatch(runId, m.subList(i, Math.min(m.size(), i + MAX_BATCH)), List.of(), List.of());
        }
        logged.addAndGet(rows.size());
    }

    /** The run all attempts log into: the one named in the checkpoint directory, or a new one (then recorded there). */
    private String run(MlflowClient client) throws IOException {
        if (Files.exists(runIdFile)) {
            String id = Files.readString(runIdFile, StandardCharsets.UTF_8).strip();
            client.setTag(id, "densecl.attempt." + attempt + ".resumed_after_step", Long.toString(resumedStep));
            return id;
        }
        // a search, not get-by-name: the client answers a missing name (404) only after its retries, seconds later
        List<Service.Experiment> found = client.searchExperiments("name = '" + experiment.replace("'", "\\'") + "'")
                .getItems();
        String expId = found.isEmpty()
                ? client.createExperiment(experiment)
                : found.get(0).getExperimentId();
        Service.RunInfo info = client.createRun(Service.CreateRun.newBuilder()
                .setExperimentId(expId)
                .setRunName(runIdFile.getParent().getFileName().toString())
                .setStartTime(System.currentTimeMillis())
                .build());
        String id = info.getRunId();
        client.setTag(id, "densecl.checkpoint_dir", runIdFile.getParent().toString());
        Path tmp = runIdFile.resolveSibling(".tmp-" + RUN_ID_FILE);
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, runIdFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    private static List<Service.Metric> metrics(List<Row> rows) {
        List<Service.Metric> out = new ArrayList<>();
        for (Row r : rows) {
            r.values().forEach((k, v) -> {
                if (v != null) {
                    out.add(Service.Metric.newBuilder()
                            .setKey(k)
                            .setValue(v)
                            .setTimestamp(r.timestampMillis())
                            .setStep(r.step())
                            .build());
                }
            });
        }
        return out;
    }

    /** Sends what is queued, waiting at most a few seconds (an unreachable server must not hold the exit). */
    @Override
    public void close() {
        try {
            if (!queue.offer(STOP, 1, TimeUnit.SECONDS)) thread.interrupt();
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
