#!/usr/bin/env bash
# Side-by-side benchmarks of the DJL trainer against plain PyTorch / torchvision on this machine.
# Same threads, same allocator (jemalloc when present), same configs, one run. Prints JSON lines.
# The step baseline is PyPI's torch 2.7.1 (the libtorch DJL 0.36 runs) in a virtual environment that
# bench/trainer/setup-torch-venv.sh creates outside the repository (not CI); step-debian times Debian's
# python3-torch 1.13 (history). The data baseline is Debian's python3-torchvision + python3-pil
# (apt-get install python3-torch python3-torchvision; data-pypi: the venv's torchvision 0.22 + Pillow).
#   bench/trainer/run-trainer-bench.sh [step|step-debian|loop|rss|data|data-pypi|checkpoint|all]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
trainer="$repo/densecl-trainer"
py=/usr/bin/python3
venv_py() { "${BENCH_PYTHON:-$here/setup-torch-venv.sh}" | tail -1; }
work="${BENCH_WORK:-/tmp/densecl-bench}"
threads="${BENCH_THREADS:-2}"
what="${1:-all}"
mkdir -p "$work"
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ -f "$jemalloc" ]; then
  export LD_PRELOAD="$jemalloc" MALLOC_CONF="background_thread:true,dirty_decay_ms:-1,muzzy_decay_ms:-1"
fi
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE || true

step() { # bare optimiser steps, random inputs: DJL vs PyTorch eager on the same libtorch (PyPI torch 2.7.1)
  local tpy
  tpy="$(venv_py)"
  for cfg in "resnet18 32 96" "resnet50 8 224"; do
    set -- $cfg
    "$trainer" bench step --backbone "$1" --batch "$2" --size "$3" --queue 65536 --steps "${BENCH_STEPS:-10}" --warmup 3 --threads "$threads" 2>/dev/null | grep '^{'
    "$tpy" "$here/reference/ref_densecl_torch.py" --arch "$1" --batch "$2" --size "$3" --queue 65536 --steps "${BENCH_STEPS:-10}" --warmup 3 --threads "$threads"
  done
}

step-debian() { # the same against Debian's python3-torch 1.13 (the figures of 2026-11-28/12-01)
  for cfg in "resnet18 32 96" "resnet50 8 224"; do
    set -- $cfg
    "$trainer" bench step --backbone "$1" --batch "$2" --size "$3" --queue 65536 --steps "${BENCH_STEPS:-10}" --warmup 3 --threads "$threads" 2>/dev/null | grep '^{'
    "$py" "$here/reference/ref_densecl_torch.py" --arch "$1" --batch "$2" --size "$3" --queue 65536 --steps "${BENCH_STEPS:-10}" --warmup 3 --threads "$threads"
  done
}

loop() { # the full pretrain loop from JPEG files (decode, augment, copy, step) vs the bare step
  [ -d "$work/jpeg96/JPEGImages" ] || "$trainer" synth --out "$work/jpeg96" --images 640 --size 96 --seed 3 >/dev/null
  rm -rf "$work/loop-ckpt"
  "$trainer" pretrain --data "$work/jpeg96/JPEGImages" --checkpoint-dir "$work/loop-ckpt" --backbone resnet18 --image-size 96 \
    --batch-size 32 --queue-size 65536 --epochs 1 --max-steps-per-epoch "${BENCH_LOOP_STEPS:-20}" --workers 2 --threads "$threads" \
    --checkpoint-every-epochs 0 --checkpoint-every-minutes 0 --progress-port -1 --termination-log "$work/loop.term" >/dev/null 2>&1
  "$py" -c "import json; m=json.load(open('$work/loop.term'))['metrics']; print(json.dumps({'impl':'djl-pretrain-loop','arch':'resnet18','batch':32,'size':96,'ms_per_step':round(32000/m['imagesPerSecond'],1),'img_per_s':m['imagesPerSecond']}))"
  "$trainer" bench step --backbone resnet18 --batch 32 --size 96 --queue 65536 --steps 10 --warmup 3 --threads "$threads" 2>/dev/null | grep '^{'
}

rss() { # memory flatness over many steps (growth from step 100 to the end)
  "$trainer" bench step --backbone resnet18 --batch 32 --size 96 --queue 65536 --steps "${BENCH_RSS_STEPS:-1000}" --warmup 0 \
    --threads "$threads" --rss-every 100 2>&1 | grep --line-buffered -E '^step|^\{'
}

data() { # decode + two-view MoCo v2 augmentation at 224 px from COCO-sized JPEGs, one thread each
  # synth sides vary 0.75-1.5x the nominal size: nominal 492 gives 553x553 on average, the pixel count of 640x480
  [ -d "$work/jpegcoco/JPEGImages" ] || "$trainer" synth --out "$work/jpegcoco" --images 200 --size 492 --seed 5 >/dev/null
  "$trainer" bench data --data "$work/jpegcoco/JPEGImages" --size 224 --steps 600 --warmup 10 2>/dev/null | grep '^{'
  DENSECL_TURBOJPEG=off "$trainer" bench data --data "$work/jpegcoco/JPEGImages" --size 224 --steps 600 --warmup 10 2>/dev/null | grep '^{'
  # PIL runs faster on glibc malloc than with the jemalloc settings tuned for libtorch: give the baseline its best
  env -u LD_PRELOAD -u MALLOC_CONF "$py" "$here/reference/ref_data_pipeline.py" --data "$work/jpegcoco/JPEGImages" --size 224 --samples 600
}

data-pypi() { # the data baseline with the venv's torchvision 0.22 + Pillow
  [ -d "$work/jpegcoco/JPEGImages" ] || "$trainer" synth --out "$work/jpegcoco" --images 200 --size 492 --seed 5 >/dev/null
  env -u LD_PRELOAD -u MALLOC_CONF "$(venv_py)" "$here/reference/ref_data_pipeline.py" --data "$work/jpegcoco/JPEGImages" --size 224 --samples 600
}

checkpoint() { # save (fsync + sha256) and load (verify) of a ResNet-50 K=65536 state vs dd with fsync, best of 5 each
  # single writes vary 2x here with the state of the page cache (a process's first 460 MB write into never-used
  # guest memory is the slow one), so the trainer saves 5 times in one process, as a run does, keeping the last
  # checkpoint, and dd writes 5 times; each side reports its best
  rm -rf "$work/ckpt-bench"
  "$trainer" bench checkpoint --backbone resnet50 --queue 65536 --out "$work/ckpt-bench" --steps 5 2>/dev/null | grep '^{'
  for i in 1 2 3 4 5; do
    dd if=/dev/zero of="$work/dd.bin" bs=1M count=456 conv=fsync 2>&1 | tail -1
    rm -f "$work/dd.bin"
  done | "$py" -c "import sys,re; t=min(float(re.search(r', ([0-9.]+) s,', l).group(1)) for l in sys.stdin); print('{\"impl\": \"dd bs=1M count=456 conv=fsync, best of 5\", \"mb\": 478.2, \"s\": %.2f, \"mb_per_s\": %d}' % (t, 478.15/t))"
}

case "$what" in
  all) step; loop; data; checkpoint; rss ;;
  *) "$what" ;;
esac
