#!/usr/bin/env bash
# Operator fleet-scale benchmark: N DenseCLRuns created at once; one bench JVM per size.
#
# Default: the packaged operator runs as its own process (-Xmx256m, as in a 512Mi container) against the embedded
# API server (indexed Fabric8 CRUD mock) and a fake kubelet in the bench JVM (local/.../FleetBench.java), so the
# operator's RSS, heap and CPU are its own.
#
#   bench/operator/run-fleet-bench.sh                    # 100 and 1000 runs
#   SIZES="100 300 1000" bench/operator/run-fleet-bench.sh
#   OPERATOR_JVM="-Xmx256m -XX:StartFlightRecording=filename=/tmp/op.jfr,settings=profile" ...   # profile the operator
#   JVM_OPTS="-XX:StartFlightRecording=filename=/tmp/api.jfr,settings=profile" ...                # profile the API server side
#   OPERATOR_ENV="DENSECL_PROGRESS_INTERVAL=60s" ...     # operator configuration (environment, comma-separated)
#   EXTRA="-Ddensecl.bench.progress-delay-ms=3000" ...   # hung trainers (answers after the 2 s poll timeout)
#
# Other knobs (-D, through EXTRA): densecl.bench.steady-seconds (35), densecl.bench.timeout-seconds (300),
# densecl.bench.trace=r0000 (print every event of one run). The operator jar is built when missing; rebuild it after
# changing the operator: mvn -B -q -pl operator package -DskipTests
# Results: local/target/bench/fleet-<N>.json, -requests.txt (API requests by client), -operator.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"100 1000"}
OPERATOR_JVM=${OPERATOR_JVM:-"-Xmx256m"}
OPERATOR_ENV=${OPERATOR_ENV:-}
JVM_OPTS=${JVM_OPTS:-}
EXTRA=${EXTRA:-}
OUT=local/target/bench
MODULE=local; TEST=FleetBench
if [ ! -f operator/target/quarkus-app/quarkus-run.jar ]; then
  mvn -B -q -pl operator package -DskipTests
fi
mkdir -p "$OUT"
echo "load before: $(uptime)" >&2
for n in $SIZES; do
  echo "== $n runs ($(date -u +%FT%TZ)) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  rm -f "$OUT/fleet-$n.json"
  args=(-B -q -pl "$MODULE" test -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false
        -Ddensecl.bench=true -Ddensecl.bench.runs="$n" "-Ddensecl.bench.operator-jvm=$OPERATOR_JVM"
        "-Ddensecl.bench.operator-env=$OPERATOR_ENV")
  [ -n "$JVM_OPTS" ] && args+=("-DargLine=$JVM_OPTS")
  # shellcheck disable=SC2086
  mvn "${args[@]}" $EXTRA > "$OUT/fleet-$n.log" 2>&1 \
    || { echo "bench with $n runs failed, see $OUT/fleet-$n.log" >&2; tail -30 "$OUT/fleet-$n.log" >&2; exit 1; }
  cat "$OUT/fleet-$n.json"
done
echo "load after: $(uptime)" >&2
python3 - "$OUT" $SIZES <<'PY'
import json, sys
out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
r = {n: json.load(open(f"{out}/fleet-{n}.json")) for n in sizes}
rows = [("bench's own creates done (s)", "createdAllS"), ("time to all pods (s)", "timeToAllPodsS"),
        ("time to all Running (s)", "timeToAllRunningS"), ("reconciles/s until all Running", "reconcilesPerSecond"),
        ("reconciles per run", "reconcilesPerRun"), ("operator API requests per run until Running", "operatorApiRequestsPerRun"),
        ("operator CPU until all Running (s)", "operatorCpuToAllRunningS"), ("operator CPU per run (ms)", "operatorCpuMsPerRun"),
        ("... without the JIT compiler threads (ms)", "operatorCpuWithoutJitMsPerRun"),
        ("bench JVM (API server, kubelet) CPU until all Running (s)", "benchJvmCpuToAllRunningS"),
        ("steady: reconciles/s", "steadyReconcilesPerSecond"), ("steady: status patches/s", "steadyStatusPatchesPerSecond"),
        ("steady: progress polls/s", "steadyPollsPerSecond"), ("steady: operator CPU (%)", "steadyOperatorCpuPercent"),
        ("runs with progress in status", "runsWithProgress"),
        ("operator RSS, 0 runs (MB)", "rssIdleMB"), ("operator RSS after the burst (MB)", "rssAfterBurstMB"),
        ("operator RSS at the end (MB)", "rssEndMB"), ("operator peak RSS, VmHWM (MB)", "rssPeakMB"),
        ("RSS growth over 0 runs, both after GC (MB)", "rssGrowthMB"),
        ("heap after GC, 0 runs (MB)", "heapAfterGcIdleMB"), ("heap after GC at the end (MB)", "heapAfterGcEndMB"),
        ("heap growth (MB)", "heapGrowthMB"), ("heap growth per run (KB)", "heapGrowthPerRunKB"),
        ("load average start / burst / end", ("loadAverageStart", "loadAverageBurst", "loadAverageEnd"))]
def val(d, k):
    return " / ".join(str(d[x]) for x in k) if isinstance(k, tuple) else str(d[k])
multi = len(sizes) > 1
print("| metric | " + " | ".join(f"{n} runs" for n in sizes) + (f" | growth {sizes[0]}->{sizes[-1]}" if multi else "") + " |")
print("|---|" + "---|" * (len(sizes) + (1 if multi else 0)))
for label, k in rows:
    cells = [val(r[n], k) for n in sizes]
    g = ""
    if multi:
        a, b = (None, None) if isinstance(k, tuple) else (r[sizes[0]][k], r[sizes[-1]][k])
        g = f" | x{b / a:.2f}" if isinstance(a, (int, float)) and not isinstance(a, bool) and a else " | "
    print(f"| {label} | " + " | ".join(cells) + g + " |")
for n in sizes:
    print(f"{n} runs, operator CPU by thread group until all Running: {r[n]['operatorCpuByThread']}")
print(f"(runs grew x{sizes[-1] / sizes[0]:.0f}; linear growth of totals = that factor, of per-run figures = x1)")
PY
