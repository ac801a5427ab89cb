package io.densecl.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Memory and CPU of another process (the operator) from /proc, and its heap after a full GC through jcmd. */
final class ProcessProbe {
    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private final long pid;
    private final double ticksPerSecond;

    ProcessProbe(long pid) throws IOException, InterruptedException {
        this.pid = pid;
        this.ticksPerSecond = Double.parseDouble(run("getconf", "CLK_TCK").trim());
    }

    /** VmRSS (current) in MB. */
    double rssMB() throws IOException {
        return statusKB("VmRSS:") / 1024.0;
    }

    /** VmHWM (peak RSS since start) in MB. */
    double peakRssMB() throws IOException {
        return statusKB("VmHWM:") / 1024.0;
    }

    /** User + system CPU seconds of the whole process. */
    double cpuSeconds() throws IOException {
        return cpu(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** CPU seconds by thread group (the kernel's 15-character thread name, digits replaced by #). */
    Map<String, Double> cpuByThreadGroup() throws IOException {
        Map<String, Double> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("\\d+", "#");
                    out.merge(name, cpu(task.resolve("stat")), Double::sum);
                } catch (IOException e) {
                    // the thread ended while we listed
                }
            }
        }
        return out;
    }

    /** Heap in use after a full GC, and the heap's committed size then (jcmd GC.run, GC.heap_info), in MB. */
    double[] heapAfterGcMB() throws IOException, InterruptedException {
        run("jcmd", Long.toString(pid), "GC.run");
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        long used = 0;
        long total = 0;
        Matcher m = HEAP_USED.matcher(info); // one line for G1, one per generation for Serial/Parallel
        while (m.find()) {
            total += Long.parseLong(m.group(1));
            used += Long.parseLong(m.group(2));
        }
        return new double[] {used / 1024.0, total / 1024.0};
    }

    private double cpu(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / ticksPerSecond;
    }

    private long statusKB(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(key + " not in /proc/" + pid + "/status");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Path jdkBin = Path.of(System.getProperty("java.home"), "bin", command[0]);
        if (Files.isExecutable(jdkBin)) {
            command[0] = jdkBin.toString();
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
