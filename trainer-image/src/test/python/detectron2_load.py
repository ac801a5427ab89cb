#!/usr/bin/env python3
"""Loads an exported detectron2 .pkl the way detectron2's DetectionCheckpointer does (no detectron2 install
needed) and matches it against detectron2's ResNet parameter names. Prints one JSON line.

  python detectron2_load.py WEIGHTS.pkl TORCHVISION.safetensors DEPTH

1. `_load_file`: pickle.load(f, encoding="latin1"); a dict with "model" and "__author__" is taken as a
   detectron2 model-zoo file; "matching_heuristics" True selects name matching.
2. `align_and_update_state_dicts` (c2_conversion False, as for "__author__" != "Caffe2"): each model key takes
   the longest checkpoint key that is a complete suffix of it (equal, or ends with "." + key); the shapes must
   agree; a checkpoint key matching two model keys is an error.
3. The model keys are those of detectron2's `build_resnet_backbone` under an FPN (`backbone.bottom_up.`),
   from detectron2's modeling/backbone/resnet.py: BasicStem `stem.conv1` (7x7, 3->64) with a norm;
   stages `res2`..`res5` of BottleneckBlock (conv1 1x1, conv2 3x3, conv3 1x1; depth >= 50) or BasicBlock
   (conv1 3x3, conv2 3x3; depth 18/34, RES2_OUT_CHANNELS 64), a `shortcut` 1x1 conv only where
   in_channels != out_channels; every conv bias-free with a `.norm` (FrozenBN: weight, bias, running_mean,
   running_var; no num_batches_tracked).
The values are compared with the torchvision-key export through the converter's renaming.
"""
import json, pickle, struct, sys

import numpy as np

BLOCKS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3]}
PREFIX = "backbone.bottom_up."


def conv(keys, name, out_c, in_c, k):
    keys[name + ".weight"] = (out_c, in_c, k, k)
    for b in ("weight", "bias", "running_mean", "running_var"):
        keys[name + ".norm." + b] = (out_c,)


def detectron2_resnet_keys(depth):
    keys = {}
    conv(keys, PREFIX + "stem.conv1", 64, 3, 7)
    bottleneck = depth >= 50
    in_c = 64
    out_c = 256 if bottleneck else 64
    mid = 64
    for s, n in enumerate(BLOCKS[depth]):
        for i in range(n):
            base = "%sres%d.%d." % (PREFIX, s + 2, i)
            block_in = in_c if i == 0 else out_c
            if block_in != out_c:
                conv(keys, base + "shortcut", out_c, block_in, 1)
            if bottleneck:
                conv(keys, base + "conv1", mid, block_in, 1)
                conv(keys, base + "conv2", mid, mid, 3)
                conv(keys, base + "conv3", out_c, mid, 1)
            else:
                conv(keys, base + "conv1", out_c, block_in, 3)
                conv(keys, base + "conv2", out_c, out_c, 3)
        in_c = out_c
        out_c *= 2
        mid *= 2
    return keys


def align(model_keys, ckpt):
    """Returns (model key -> checkpoint key, errors), as align_and_update_state_dicts matches them."""
    matched, errors, used = {}, [], {}
    for mk in sorted(model_keys):
        best = None
        for ck in ckpt:
            if (mk == ck or mk.endswith("." + ck)) and (best is None or len(ck) > len(best)):
                best = ck
        if best is None:
            continue
        if tuple(ckpt[best].shape) != tuple(model_keys[mk]):
            errors.append("shape of %s is %s, model %s wants %s" % (best, ckpt[best].shape, mk, model_keys[mk]))
            continue
        if best in used:
            errors.append("ambiguous: %s matches %s and %s" % (best, used[best], mk))
        used[best] = mk
        matched[mk] = best
    return matched, errors


def torchvision_name(k):
    """Inverse of detectron2's tools/convert-torchvision-to-d2.py renaming."""
    k = k[len("stem."):] if k.startswith("stem.") else k
    for t in (1, 2, 3, 4):
        k = k.replace("res%d." % (t + 1), "layer%d." % t)
    k = k.replace("shortcut.norm.", "downsample.1.").replace("shortcut.", "downsample.0.")
    for t in (1, 2, 3):
        k = k.replace("conv%d.norm." % t, "bn%d." % t)
    return k


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name != "__metadata__" and e["dtype"] == "F32":
            lo, hi = e["data_offsets"]
            out[name] = np.frombuffer(data[lo:hi], dtype=np.float32).reshape(e["shape"])
    return out


def main():
    pkl, tv_path, depth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(pkl, "rb") as f:
        data = pickle.load(f, encoding="latin1")
    zoo_format = isinstance(data, dict) and "model" in data and "__author__" in data
    ckpt = data["model"]
    types = sorted({"%s %s %s" % (type(v).__name__, v.dtype, v.flags["C_CONTIGUOUS"]) for v in ckpt.values()})
    model_keys = detectron2_resnet_keys(depth)
    matched, errors = align(model_keys, ckpt)
    tv = read_safetensors(tv_path)
    diff = max(float(np.max(np.abs(ckpt[k] - tv[torchvision_name(k)]))) for k in ckpt)
    torch_version = None
    try:  # where torch is there (Debian's python3): detectron2's _convert_ndarray_to_tensor step, torch.from_numpy
        import torch
        torch_version = torch.__version__
        for k, v in ckpt.items():
            assert torch.from_numpy(v).shape == v.shape, k
    except ImportError:
        pass
    print(json.dumps({
        "zoo_format": zoo_format, "author": data.get("__author__"), "matching_heuristics": data.get("matching_heuristics"),
        "types": types, "model_keys": len(model_keys), "checkpoint_keys": len(ckpt), "matched": len(matched),
        "unmatched_model": sorted(set(model_keys) - set(matched)), "unmatched_checkpoint": sorted(set(ckpt) - set(matched.values())),
        "errors": errors, "max_abs_diff_vs_torchvision": diff, "numpy": np.__version__, "torch": torch_version,
        "sample": {k: matched.get(k) for k in [PREFIX + "stem.conv1.norm.running_var", PREFIX + "res5.1.conv2.weight"]}}))


if __name__ == "__main__":
    main()
