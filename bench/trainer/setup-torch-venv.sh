#!/usr/bin/env bash
# Creates the benchmark's PyTorch baseline: a virtual environment with PyPI's torch 2.7.1 (the libtorch DJL 0.36
# runs) and the matching torchvision 0.22.1, outside the repository. Not used by CI. PyPI's Linux wheels are CUDA
# builds and pull several GB of nvidia-* wheels; the CPU path of the same libtorch is what the bench times.
#   bench/trainer/setup-torch-venv.sh            # prints the venv's python on its last line
set -euo pipefail
venv="${DENSECL_BENCH_VENV:-$HOME/.cache/densecl/bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$(dirname "$venv")"
  /usr/bin/python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import torch, torchvision, PIL, numpy; assert torch.__version__.startswith("2.7.1"), torch.__version__' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "torch==2.7.1" "torchvision==0.22.1" pillow numpy >&2
fi
"$venv/bin/python" -c 'import torch, torchvision, PIL; print("torch", torch.__version__, "torchvision", torchvision.__version__, "pillow", PIL.__version__)' >&2
echo "$venv/bin/python"
