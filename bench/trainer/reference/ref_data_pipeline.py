#!/usr/bin/env python3
"""Reference data pipeline: PIL decode + torchvision MoCo v2 two-view augmentation, one thread.

Prints one JSON line with two-view samples per second, for side-by-side comparison with
`densecl-trainer bench data` on the same files.
"""
import argparse, json, os, time
import torch
from PIL import Image, ImageFilter
import random
import torchvision.transforms as T


class GaussianBlur:
    def __init__(self, sigma=(0.1, 2.0)):
        self.sigma = sigma

    def __call__(self, x):
        return x.filter(ImageFilter.GaussianBlur(radius=random.uniform(*self.sigma)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(1)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.data) for f in fs if f.lower().endswith((".jpg", ".jpeg", ".png")))
    aug = T.Compose([
        T.RandomResizedCrop(a.size, scale=(0.2, 1.0)),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomApply([GaussianBlur()], p=0.5),
        T.RandomHorizontalFlip(),
        T.ToTensor(),
        T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    t0 = None
    for i in range(a.warmup + a.samples):
        if i == a.warmup:
            t0 = time.perf_counter()
        img = Image.open(files[i % len(files)]).convert("RGB")
        aug(img), aug(img)
    dt = time.perf_counter() - t0
    print(json.dumps({"impl": "torchvision+PIL", "torchvision": __import__("torchvision").__version__, "size": a.size,
                      "samples": a.samples, "two_view_samples_per_s": round(a.samples / dt, 1), "threads": 1}))


if __name__ == "__main__":
    main()
