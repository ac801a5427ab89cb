#!/usr/bin/env python3
"""Loads an exported torchvision-key safetensors file into torchvision.models.<arch>(), reports the
missing/unexpected keys of load_state_dict(strict=False), and writes torchvision's pooled C5 features
(eval mode) of the given images, preprocessed as `densecl-trainer embed` documents it:
PX x PX images only ToTensor + Normalize, others Resize(PX) + CenterCrop(PX) first. Used by EmbedTest.

  python3 torchvision_features.py WEIGHTS.safetensors ARCH PX OUT.f32 IMAGE...   (prints one JSON line)
"""
import json, struct, sys
import numpy as np
import torch, torchvision
import torchvision.transforms as T
from PIL import Image


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[e["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=dtype).reshape(e["shape"]).copy())
    return out


def main():
    weights, arch, px, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    model = getattr(torchvision.models, arch)()
    result = model.load_state_dict(read_safetensors(weights), strict=False)
    model.fc = torch.nn.Identity()  # avgpool(layer4) flattened: the pooled C5
    model.eval()
    norm = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    crop = T.Compose([T.Resize(px), T.CenterCrop(px), norm])
    feats = []
    with torch.no_grad():
        for f in sys.argv[5:]:
            im = Image.open(f).convert("RGB")
            x = (norm if im.size == (px, px) else crop)(im)
            feats.append(model(x.unsqueeze(0))[0].numpy())
    np.stack(feats).astype("<f4").tofile(out)
    print(json.dumps({"missing": sorted(result.missing_keys), "unexpected": sorted(result.unexpected_keys),
                      "torch": torch.__version__, "torchvision": torchvision.__version__, "images": len(feats)}))


if __name__ == "__main__":
    main()
