#!/usr/bin/env bash
# Operator fleet-scale benchmark (issues 8, 12): N DenseCLRuns created at once, against the real control plane
# (default) and the Fabric8 mock; one bench JVM per size and API; prints one table with every column side by side.
#
# The packaged operator runs as its own process (-Xmx256m, as in a 512Mi container). --api real: etcd,
# kube-apiserver (audit log at Metadata level, the operator's requests counted by its service account),
# kube-controller-manager and kube-scheduler from the cache (tools/kube/build.sh), 4 fake nodes whose kubelets report
# the scheduled pods Running via pods/status (no processes), local mode's volume provisioner. --api mock: the indexed
# Fabric8 CRUD mock in the bench JVM and a fake kubelet that binds and starts each pod with one PUT.
#
#   bench/operator/run-fleet-bench.sh                      # 100 and 1000 runs, real and mock
#   SIZES="100 300" APIS=real bench/operator/run-fleet-bench.sh
#   OPERATOR_JVM="-Xmx256m -XX:StartFlightRecording=filename=/tmp/op.jfr,settings=profile" ...   # profile the operator
#   BENCH_JVM="-XX:StartFlightRecording=filename=/tmp/b.jfr,settings=profile" ...                # the bench JVM (mock API)
#   OPERATOR_ENV="DENSECL_PROGRESS_INTERVAL=60s" ...       # operator configuration (environment, comma-separated)
#   EXTRA="--progress-delay-ms 3000" ...                   # hung trainers (answers after the 2 s poll timeout)
#   EXTRA="--stock-dispatcher" APIS=mock ...               # the library's own CRUD dispatcher
#   TABLE_ONLY=1 ...                                       # reprint the table from the last results
#
# Other FleetBench options (through EXTRA): --steady-seconds (35), --timeout-seconds (300), --nodes (4),
# --trace r0000 (print every event of one run). Builds the bench module (mvn -Pbench) and, when missing, the operator;
# rebuild the operator after changing it: mvn -B -q -pl operator -am package -DskipTests
# Results in bench/operator/target/bench/: fleet-<api>-<N>.json, -requests.txt (every client's requests by kind, code),
# -warnings.txt (the operator's log warnings by kind), -operator.log, -audit.log and -controlplane/logs/ (real).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"100 1000"}
APIS=${APIS:-"real mock"}
OPERATOR_JVM=${OPERATOR_JVM:-"-Xmx256m"}
OPERATOR_ENV=${OPERATOR_ENV:-}
BENCH_JVM=${BENCH_JVM:-}
EXTRA=${EXTRA:-}
OUT=bench/operator/target/bench
if [ -z "${TABLE_ONLY:-}" ]; then
  if [ ! -f operator/target/quarkus-app/quarkus-run.jar ] || [ ! -f operator/target/kubernetes/kubernetes.yml ]; then
    mvn -B -q -pl operator -am package -DskipTests
  fi
  mvn -B -q -Pbench -pl bench/operator -am package -DskipTests
  mkdir -p "$OUT"
  echo "load before: $(uptime)" >&2
  for n in $SIZES; do
    for api in $APIS; do
      echo "== $api, $n runs ($(date -u +%FT%TZ)) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
      # shellcheck disable=SC2086
      java $BENCH_JVM -cp "bench/operator/target/classes:bench/operator/target/lib/*" io.densecl.bench.fleet.FleetBench \
          --api "$api" --runs "$n" --out "$OUT" --operator-jvm "$OPERATOR_JVM" --operator-env "$OPERATOR_ENV" $EXTRA \
          > "$OUT/fleet-$api-$n.log" 2>&1 \
        || { echo "bench ($api, $n runs) failed with exit code $?, see $OUT/fleet-$api-$n.log" >&2; tail -30 "$OUT/fleet-$api-$n.log" >&2; exit 1; }
    done
  done
  echo "load after: $(uptime)" >&2
fi
python3 - "$OUT" "$SIZES" "$APIS" <<'PY'
import json, os, sys
out, sizes, apis = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
cols = [(a, n) for n in sizes for a in sorted(apis, key=lambda a: a != "mock")
        if os.path.exists(f"{out}/fleet-{a}-{n}.json")]
r = {c: json.load(open(f"{out}/fleet-{c[0]}-{c[1]}.json")) for c in cols}
def g(d, k):
    v = d.get(k, "-")
    return "-" if v is None else str(v)
def ms_mean(d):
    n, s = d.get("apfOperatorWaitCount"), d.get("apfOperatorWaitSeconds")
    return "-" if not n else f"{s * 1000 / n:.2f} ms over {int(n)}"
rows = [
    ("load average at start / burst / end", lambda d: f"{g(d,'loadAverageStart')} / {g(d,'loadAverageBurst')} / {g(d,'loadAverageEnd')}"),
    ("bench's own creates done (s)", "createdAllS"),
    ("**time to all pods created (s)**", "timeToAllPodsS"),
    ("... all checkpoint claims bound (s)", "timeToAllClaimsBoundS"),
    ("... all pods scheduled (s)", "timeToAllScheduledS"),
    ("... all pods Running (kubelet) (s)", "timeToAllPodsRunningS"),
    ("... all runs report Running (s)", "timeToAllRunningS"),
    ("reconciles per run until all Running", "reconcilesPerRun"),
    ("**operator API requests per run until all Running**", "operatorApiRequestsPerRun"),
    ("... including the steady window", "operatorApiRequestsPerRunWithSteady"),
    ("operator responses 409 / 429 (audit log)", lambda d: f"{g(d,'operatorConflicts')} / {g(d,'operatorThrottled')}"),
    ("**operator CPU until all Running (s)**", "operatorCpuToAllRunningS"),
    ("operator CPU per run (ms)", "operatorCpuMsPerRun"),
    ("... without the JIT compiler threads (ms)", "operatorCpuWithoutJitMsPerRun"),
    ("operator RSS idle / after the burst / end (MB)", lambda d: f"{g(d,'rssIdleMB')} / {g(d,'rssAfterBurstMB')} / {g(d,'rssEndMB')}"),
    ("**operator peak RSS, VmHWM (MB)**", "rssPeakMB"),
    ("operator heap after GC idle / end (MB)", lambda d: f"{g(d,'heapAfterGcIdleMB')} / {g(d,'heapAfterGcEndMB')}"),
    ("run / pod JSON as served (bytes; of it managedFields)", lambda d: f"{g(d,'runJsonBytes')} ({g(d,'runManagedFieldsBytes')}) / {g(d,'podJsonBytes')} ({g(d,'podManagedFieldsBytes')})"),
    ("kube-apiserver CPU until all Running (s)", "apiserverCpuToAllRunningS"),
    ("etcd CPU until all Running (s)", "etcdCpuToAllRunningS"),
    ("controller-manager / scheduler CPU until all Running (s)", lambda d: f"{g(d,'controllerManagerCpuToAllRunningS')} / {g(d,'schedulerCpuToAllRunningS')}"),
    ("bench JVM CPU until all Running (s) (mock: includes the API server)", "benchJvmCpuToAllRunningS"),
    ("kube-apiserver / etcd peak RSS (MB)", lambda d: f"{g(d,'apiserverPeakRssMB')} / {g(d,'etcdPeakRssMB')}"),
    ("APF: rejected requests; operator's queue wait (mean)", lambda d: f"{g(d,'apfRejected')}; {ms_mean(d)}" if "apfRejected" in d else "-"),
    ("steady: reconciles/s, status writes/s, polls/s", lambda d: f"{g(d,'steadyReconcilesPerSecond')}, {g(d,'steadyStatusPatchesPerSecond')}, {g(d,'steadyPollsPerSecond')}"),
    ("steady: operator CPU (% of one core)", "steadyOperatorCpuPercent"),
    ("runs with progress in status at the end", "runsWithProgress"),
    ("kubelet status conflicts (409)", "kubeletConflicts"),
    ("operator log warnings / errors", lambda d: f"{g(d,'operatorLogWarnings')} / {g(d,'operatorLogErrors')}"),
]
print("| metric | " + " | ".join(f"{a} {n}" for a, n in cols) + " |")
print("|---|" + "---|" * len(cols))
for label, k in rows:
    cells = [k(r[c]) if callable(k) else g(r[c], k) for c in cols]
    print(f"| {label} | " + " | ".join(cells) + " |")
for c in cols:
    d = r[c]
    print(f"\n{c[0]} {c[1]} ({d['date']}): operator CPU by thread until all Running: {d['operatorCpuByThread']}")
    print(f"  requests by client until all Running: {d['requestsByClientToAllRunning']}; operator codes: {d['operatorResponseCodes']}")
PY
