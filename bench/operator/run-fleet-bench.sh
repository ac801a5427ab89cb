#!/usr/bin/env bash
# Operator fleet-scale benchmark (issue 8): N DenseCLRuns created at once against the Fabric8 mock API server
# (same JVM) with a fake kubelet; one JVM per size. Prints each size's JSON line and the growth factors.
#
#   bench/operator/run-fleet-bench.sh              # 100 and 1000 runs
#   SIZES="100 300 1000" bench/operator/run-fleet-bench.sh
#   JVM_OPTS="-Xmx256m -XX:StartFlightRecording=filename=/tmp/fleet.jfr,settings=profile" ...   # profile
#   EXTRA="-Ddensecl.bench.progress-delay-ms=3000" ...   # hung trainers (answers after the 2 s poll timeout)
#
# Other knobs (-D, through EXTRA): densecl.bench.steady-seconds (35), densecl.bench.timeout-seconds (300),
# densecl.progress.interval / .timeout / .max-concurrent, quarkus.operator-sdk.concurrent-reconciliation-threads.
# Results: operator/target/bench/fleet-<N>.json, -requests.txt (API requests by client), -histogram.txt (heap).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"100 1000"}
# -Xmx256m: what the Helm chart's 512Mi limit gives a container JVM with MaxRAMPercentage=50.
JVM_OPTS=${JVM_OPTS:-"-Xmx256m"}
EXTRA=${EXTRA:-}
OUT=operator/target/bench
mkdir -p "$OUT"
for n in $SIZES; do
  echo "== $n runs ($(date -u +%FT%TZ))" >&2
  rm -f "$OUT/fleet-$n.json"
  # shellcheck disable=SC2086
  mvn -B -o -q -pl operator test -Dtest=FleetScaleBench -Dsurefire.failIfNoSpecifiedTests=false \
    -Ddensecl.bench=true -Ddensecl.bench.runs="$n" "-DargLine=$JVM_OPTS" $EXTRA > "$OUT/fleet-$n.log" 2>&1 \
    || { echo "bench with $n runs failed, see $OUT/fleet-$n.log" >&2; tail -30 "$OUT/fleet-$n.log" >&2; exit 1; }
  cat "$OUT/fleet-$n.json"
done
python3 - "$OUT" $SIZES <<'PY'
import json, sys
out, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
r = {n: json.load(open(f"{out}/fleet-{n}.json")) for n in sizes}
rows = [("time to all pods (s)", "timeToAllPodsS"), ("time to all Running (s)", "timeToAllRunningS"),
        ("bench creates done (s)", "createdAllS"), ("reconciles/s to all Running", "reconcilesPerSecondToAllRunning"),
        ("reconciles per run", "reconcilesPerRun"), ("operator API requests per run", "operatorApiRequestsPerRun"),
        ("process CPU to all Running (s)", "processCpuToAllRunningS"), ("CPU ms per run", "cpuMsPerRun"),
        ("reconcile mean / max (ms)", ("reconcileMeanMs", "reconcileMaxMs")),
        ("steady reconciles/s", "steadyReconcilesPerSecond"), ("steady status patches/s", "steadyStatusPatchesPerSecond"),
        ("steady progress polls/s", "steadyPollsPerSecond"), ("runs with progress", "runsWithProgress"),
        ("RSS baseline (0 runs) MB", "baselineRssMB"), ("RSS end MB", "rssMB"), ("RSS delta MB", "rssDeltaMB"),
        ("heap after GC baseline MB", "baselineHeapMB"), ("heap after GC end MB", "heapMB"),
        ("heap delta MB", "heapDeltaMB"), ("heap delta per run KB", "heapPerRunKB"), ("load average (1 m)", "loadAverage1m")]
def val(d, k):
    return " / ".join(str(d[x]) for x in k) if isinstance(k, tuple) else str(d[k])
print("| metric | " + " | ".join(f"{n} runs" for n in sizes) + (f" | growth {sizes[0]}->{sizes[-1]}" if len(sizes) > 1 else "") + " |")
print("|---|" + "---|" * (len(sizes) + (1 if len(sizes) > 1 else 0)))
for label, k in rows:
    cells = [val(r[n], k) for n in sizes]
    g = ""
    if len(sizes) > 1 and not isinstance(k, tuple) and isinstance(r[sizes[0]][k], (int, float)) and r[sizes[0]][k]:
        g = f" | x{r[sizes[-1]][k] / r[sizes[0]][k]:.2f}"
    elif len(sizes) > 1:
        g = " | "
    print(f"| {label} | " + " | ".join(cells) + g + " |")
print(f"(runs grew x{sizes[-1] / sizes[0]:.0f}; linear growth of totals = that factor, of per-run figures = x1)")
PY
