#!/usr/bin/env python3
"""Writes the PIL/torchvision parity fixtures of the MoCo v2 augmentation ops (PilParityTest).

Inputs are crops of a real photograph (matplotlib's public-domain sample image grace_hopper.jpg,
Debian package python-matplotlib-data); every op is applied by torchvision's functional API on PIL
images, exactly as the official DenseCL/MoCo v2 pipeline calls it. Outputs are lossless PNGs plus
cases.json; the Java test applies its own op to the same input PNG and compares.

  apt-get install -y python3-pil python3-torchvision python3-numpy python-matplotlib-data
  python3 trainer-image/src/test/python/make_pil_parity_fixtures.py [--photo FILE] [--out DIR]
"""
import argparse, json, math, os
import numpy as np
import PIL
from PIL import Image, ImageFilter
import torch, torchvision
import torchvision.transforms as T
import torchvision.transforms.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "resources", "pil-parity")
PHOTO = "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--photo", default=PHOTO)
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    photo = Image.open(a.photo).convert("RGB")  # 512 x 600
    # three real-image inputs: face (skin, hair), uniform and medals (saturated colours), non-square
    inputs = {"face": photo.crop((150, 80, 270, 176)),      # 120 x 96
              "jacket": photo.crop((20, 380, 116, 510)),    # 96 x 130
              "medals": photo.crop((300, 360, 404, 448))}   # 104 x 88
    for name, im in inputs.items():
        im.save(os.path.join(a.out, f"in-{name}.png"))
    cases = []

    def case(op, src, out, **params):
        fname = f"out-{op}-{src}-{len(cases)}.png"
        out.save(os.path.join(a.out, fname))
        cases.append({"op": op, "input": f"in-{src}.png", "output": fname, **params})

    for src, im in inputs.items():
        w, h = im.size
        for (left, top, cw, ch, size) in [(3, 5, w - 10, h - 12, 64), (10, 7, 21, 17, 48), (0, 0, w, h, 96), (5, 2, 64, 64, 64)]:
            case("resizedCrop", src, F.resized_crop(im, top, left, ch, cw, [size, size], T.InterpolationMode.BILINEAR),
                 left=left, top=top, width=cw, height=ch, size=size)
        for f in [0.6, 0.8731, 1.3127, 1.4]:
            case("brightness", src, F.adjust_brightness(im, f), factor=f)
            case("contrast", src, F.adjust_contrast(im, f), factor=f)
            case("saturation", src, F.adjust_saturation(im, f), factor=f)
        for f in [-0.1, -0.0371, 0.0, 0.0529, 0.1]:
            case("hue", src, F.adjust_hue(im, f), factor=f)
        case("grayscale", src, F.rgb_to_grayscale(im, num_output_channels=3))
        for s in [0.1, 0.3, 0.7531, 1.3, 2.0]:
            # MoCo's / OpenSelfSup's GaussianBlur: PIL's filter with radius = sigma
            case("blur", src, im.filter(ImageFilter.GaussianBlur(radius=s)), sigma=s)
        case("flip", src, F.hflip(im))

    # ToTensor + Normalize of one input, as float32 little-endian [3, h, w]
    im = inputs["medals"]
    t = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])(T.ToTensor()(im))
    t.numpy().astype("<f4").tofile(os.path.join(a.out, "normalised-medals.f32"))

    # RandomResizedCrop.get_params: the torch draws of each attempt and torchvision's answer
    crops = []
    scale, ratio = (0.2, 1.0), (3.0 / 4.0, 4.0 / 3.0)
    log_ratio = torch.log(torch.tensor(ratio))
    for seed, (w, h) in enumerate([(640, 480), (96, 130), (600, 40), (30, 900), (224, 224), (33, 31)] * 8):
        img = Image.new("RGB", (w, h))
        torch.manual_seed(seed)
        i, j, ch, cw = T.RandomResizedCrop.get_params(img, list(scale), list(ratio))
        torch.manual_seed(seed)  # replay the same draws
        attempts = []
        for _ in range(10):
            area = w * h * torch.empty(1).uniform_(scale[0], scale[1]).item()
            aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            attempts.append([area, aspect])
            cw2 = int(round(math.sqrt(area * aspect)))
            ch2 = int(round(math.sqrt(area / aspect)))
            if 0 < cw2 <= w and 0 < ch2 <= h:
                torch.randint(0, h - ch2 + 1, size=(1,)); torch.randint(0, w - cw2 + 1, size=(1,))
                break
        crops.append({"width": w, "height": h, "attempts": attempts, "cropWidth": cw, "cropHeight": ch, "top": i, "left": j})

    meta = {"generator": "make_pil_parity_fixtures.py", "pillow": PIL.__version__, "torchvision": torchvision.__version__,
            "torch": torch.__version__, "numpy": np.__version__, "photo": os.path.basename(a.photo),
            "cases": cases, "randomResizedCrop": crops}
    with open(os.path.join(a.out, "cases.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{len(cases)} op cases, {len(crops)} crop-parameter cases -> {a.out}")


if __name__ == "__main__":
    main()
