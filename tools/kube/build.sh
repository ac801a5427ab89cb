#!/usr/bin/env bash
# Builds the real Kubernetes control plane used by the real-API test tier and by local mode: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl of one pinned release
# (tools/kube/versions.env), compiled from the Go module proxy (k8s.io/kubernetes with its staging
# modules at the matching published v0.x versions; etcd from go.etcd.io/etcd/server/v3). No release
# binary is downloaded from anywhere.
#
# The binaries go to a versioned cache outside the repository:
#   ${DENSECL_KUBE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/densecl/kube}/k8s-<version>-etcd-<version>/bin
# Idempotent: a complete cache is reused at once. The last line on stdout is always the bin directory.
#
#   tools/kube/build.sh                  build (or reuse) and print the bin directory
#   tools/kube/build.sh --update-modules regenerate kubernetes/go.mod for KUBE_VERSION (then commit it)
#   tools/kube/build.sh --with-kueue     also build (or reuse) the Kueue manager of KUEUE_VERSION from
#                                        tools/kube/kueue into $cache_root/kueue-<version>, with its CRDs and
#                                        webhook manifests copied from the module source; the last line on
#                                        stdout is then that kueue directory (opt-in: DENSECL_KUEUE=1 tests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache_root="${DENSECL_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/densecl/kube}"
dir="$cache_root/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION"
bin="$dir/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)
log() { echo "kube-build: $*" >&2; }

# Never let the go command fetch another toolchain, and never write go.mod/go.sum while building.
export GOTOOLCHAIN=local GOFLAGS="-buildvcs=false -mod=readonly"

complete() {
  [ -f "$dir/.complete" ] || return 1
  for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || return 1; done
}

update_modules() {
  # k8s.io/kubernetes cannot be required as is: its go.mod requires every staging module at v0.0.0 and
  # replaces it with ./staging/...; a consumer must replace each with the published v0.<minor>.<patch>.
  local staging="v0.${KUBE_VERSION#1.}" mod
  (cd "$here/kubernetes" && GOFLAGS=-buildvcs=false go mod download "k8s.io/kubernetes@v$KUBE_VERSION")
  mod="$(cd "$here/kubernetes" && go env GOMODCACHE)/k8s.io/kubernetes@v$KUBE_VERSION/go.mod"
  {
    echo "module densecl.io/tools/kube/kubernetes"
    echo
    echo "go $(awk '$1 == "go" {print $2; exit}' "$mod")"
    echo
    echo "replace ("
    awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$mod" | while read -r m; do
      # modules that only exist inside the kubernetes repository (samples) are not published: skip them
      if (cd "$here/kubernetes" && GOFLAGS=-buildvcs=false go list -m "$m@$staging" >/dev/null 2>&1); then
        printf '\t%s => %s %s\n' "$m" "$m" "$staging"
      fi
    done
    echo ")"
  } > "$here/kubernetes/go.mod"
  rm -f "$here/kubernetes/go.sum"
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    (cd "$here/kubernetes" && GOFLAGS="-buildvcs=false -mod=mod" go get "k8s.io/kubernetes/cmd/$c@v$KUBE_VERSION")
  done
  (cd "$here/etcd" && GOFLAGS="-buildvcs=false -mod=mod" go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" \
     && GOFLAGS="-buildvcs=false -mod=mod" go mod tidy)
  log "modules updated for Kubernetes $KUBE_VERSION and etcd $ETCD_VERSION; commit tools/kube/*/go.{mod,sum}"
}

if [ "${1:-}" = "--update-modules" ]; then
  update_modules
  exit 0
fi

with_kueue=false
if [ "${1:-}" = "--with-kueue" ]; then
  with_kueue=true
fi
kueue_dir="$cache_root/kueue-$KUEUE_VERSION"

build_kueue() {
  # The manager is built like the control plane: from the module proxy, pinned by tools/kube/kueue/go.sum.
  # Its CRDs and webhook configurations ship in the module source, so no manifest is fetched from elsewhere.
  if [ -f "$kueue_dir/.complete" ] && [ -x "$kueue_dir/bin/kueue" ]; then
    echo "$kueue_dir"
    return 0
  fi
  log "building the Kueue manager $KUEUE_VERSION from the Go module proxy into $kueue_dir (about 7 min of CPU on 2 cores)"
  local start src tmp
  start=$(date +%s)
  tmp="$kueue_dir.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  (cd "$here/kueue" && go mod download sigs.k8s.io/kueue \
     && go build -trimpath -ldflags "-s -w" -o "$tmp/bin/kueue" sigs.k8s.io/kueue/cmd/kueue)
  src="$(cd "$here/kueue" && go list -m -f '{{.Dir}}' sigs.k8s.io/kueue)"
  cp -r "$src/config/components/crd/bases" "$tmp/crds"
  cp "$src/config/components/webhook/manifests.yaml" "$tmp/webhook-manifests.yaml"
  chmod -R u+w "$tmp"
  "$tmp/bin/kueue" --help >/dev/null 2>&1 || { log "kueue was built but does not run"; exit 70; }
  printf 'kueue=%s\ngo=%s\nbuildSeconds=%s\n' "$KUEUE_VERSION" "$(go env GOVERSION)" "$(( $(date +%s) - start ))" > "$tmp/.complete"
  rm -rf "$kueue_dir"
  mv "$tmp" "$kueue_dir"
  log "kueue built in $(( $(date +%s) - start )) s"
  echo "$kueue_dir"
}

if complete && ! $with_kueue; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { log "no 'go' on PATH: Go 1.26 or newer is needed to build the control plane"; exit 69; }
go_minor="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
[ "$go_minor" -ge 26 ] || { log "Go $(go env GOVERSION) is too old: Kubernetes $KUBE_VERSION needs Go 1.26"; exit 69; }

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
flock 9 # two builds at once (parallel test JVMs) would race for the same directory
if complete; then
  if $with_kueue; then
    build_kueue
  else
    echo "$bin"
  fi
  exit 0
fi

log "building etcd $ETCD_VERSION and Kubernetes $KUBE_VERSION (kube-apiserver, kube-controller-manager," \
    "kube-scheduler, kubectl) from the Go module proxy into $dir; a cold build took 7 min (418 s) on 2 quiet cores here, 17 min (1039 s) with other builds sharing them (module downloads included)"
start=$(date +%s)
# the go command is silent while it compiles: a progress line every minute says it is still working
( while sleep 60; do log "still building ($(( ($(date +%s) - start) / 60 )) min)"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
tmp="$dir/bin.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
# What hack/lib/version.sh stamps into release binaries: kubectl and the API server report it.
pkg=k8s.io/component-base/version
minor="${KUBE_VERSION#1.}"; minor="${minor%%.*}"
ldflags="-s -w -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION"
(cd "$here/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
log "kubernetes binaries built after $(( $(date +%s) - start )) s"
(cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./cmd/etcd)
for b in "${binaries[@]}"; do "$tmp/$b" --version >/dev/null 2>&1 || "$tmp/$b" version --client >/dev/null 2>&1 \
  || { log "$b was built but does not run"; exit 70; }; done
rm -rf "$bin"
mv "$tmp" "$bin"
seconds=$(( $(date +%s) - start ))
printf 'kubernetes=%s\netcd=%s\ngo=%s\nbuildSeconds=%s\n' "$KUBE_VERSION" "$ETCD_VERSION" "$(go env GOVERSION)" "$seconds" \
  > "$dir/.complete"
log "built in ${seconds} s: $(cd "$bin" && echo *)"
if $with_kueue; then
  build_kueue
else
  echo "$bin"
fi
