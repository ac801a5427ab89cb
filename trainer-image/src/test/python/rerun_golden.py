#!/usr/bin/env python3
"""Re-runs a golden file's DenseCL steps in PyTorch on this machine (from its JSON description and the
inputs stored in its safetensors) and prints, per stored tensor, the relative error max|got - want| /
max|want| of PyTorch itself. Used to tell fp32 summation-order effects from trainer bugs (GoldenStepTest's
documented exceptions). Handles the split-BatchNorm + key-shuffle files (batchnorm.groups > 1).

  python3 trainer-image/src/test/python/rerun_golden.py trainer-image/src/test/resources/golden/densecl-r18-splitbn-two-steps
"""
import json, re, struct, sys
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F, torchvision

M64 = (1 << 64) - 1


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n)); data = f.read()
    out = {}
    for k, e in h.items():
        if k == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        dt = {"F32": np.float32, "I64": np.int64}[e["dtype"]]
        out[k] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=dt).reshape(e["shape"]).copy())
    return out


def splitmix_values(seed, n):
    gamma, out, state = 0x9E3779B97F4A7C15, np.empty(n, dtype=np.uint64), seed & M64
    with np.errstate(over="ignore"):
        st = (np.uint64(state) + np.uint64(gamma) * np.arange(1, n + 1, dtype=np.uint64))
        z = (st ^ (st >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out = z ^ (z >> np.uint64(31))
    return (out >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)


class SplitBN(nn.BatchNorm2d):
    groups = 1

    def forward(self, x):
        g = self.groups
        if not self.training or g == 1:
            return super().forward(x)
        n, c, h, w = x.shape
        rm, rv = self.running_mean.repeat(g), self.running_var.repeat(g)
        y = F.batch_norm(x.view(-1, c * g, h, w), rm, rv, self.weight.repeat(g), self.bias.repeat(g), True, self.momentum, self.eps)
        self.running_mean.data.copy_(rm.view(g, c).mean(0)); self.running_var.data.copy_(rv.view(g, c).mean(0))
        return y.view(n, c, h, w)


def encoder(arch, hid, dim, groups):
    SplitBN.groups = groups
    r = getattr(torchvision.models, arch)(norm_layer=SplitBN)
    cin = r.fc.in_features
    backbone = nn.Sequential(*list(r.children())[:-2])
    neck = nn.ModuleDict({"mlp": nn.Sequential(nn.Linear(cin, hid), nn.ReLU(), nn.Linear(hid, dim)),
                          "mlp2": nn.Sequential(nn.Conv2d(cin, hid, 1), nn.ReLU(), nn.Conv2d(hid, dim, 1))})
    return backbone, neck, getattr(torchvision.models, arch)()  # the last one only for parameter names


def main():
    base = sys.argv[1]
    j = json.load(open(base + ".json")); g = read(base + ".safetensors")
    arch = re.search(r"resnet\d+", j["backbone"]).group(0)
    lin = [int(v) for v in re.findall(r"Linear\((\d+),\s*(\d+)\)", j["neck"]["global"])[1]]
    hid, dim = int(re.findall(r"Linear\((\d+),\s*(\d+)\)", j["neck"]["global"])[0][1]), lin[1]
    groups = j["batchnorm"].get("groups", 1)
    bq, nq, ref = encoder(arch, hid, dim, groups)
    names = [n for n, _ in ref.named_parameters() if not n.startswith("fc.")]
    params = list(bq.parameters()) + [p for k in ("mlp", "mlp2") for p in nq[k].parameters()]
    full = ["backbone." + n for n in names] + ["neck." + k + "." + s for k in ("mlp", "mlp2") for s in ("0.weight", "0.bias", "2.weight", "2.bias")]
    with torch.no_grad():
        for i, (name, p) in enumerate(zip(full, params)):
            if ".bn" in name or "downsample.1" in name or name.startswith("backbone.1."):
                continue
            b = np.float32(np.sqrt(6.0 / (p.numel() / p.shape[0])) * 0.5) if p.dim() >= 2 else np.float32(0.05)
            p.copy_(torch.from_numpy((np.float32(2) * splitmix_values(20261128 + i, p.numel()) - np.float32(1)) * b).view_as(p))
    for k in [k for k in g if k.startswith("init.") and not k.startswith("init.queue")]:
        print(f"init {k[5:]} bit-equal {torch.equal(dict(zip(full, params))[k[5:]], g[k])}")
    bk, nk, _ = encoder(arch, hid, dim, groups)
    bk.load_state_dict(bq.state_dict()); nk.load_state_dict(nq.state_dict())
    kparams = list(bk.parameters()) + [p for k in ("mlp", "mlp2") for p in nk[k].parameters()]
    for p in kparams:
        p.requires_grad = False
    queue, queue2 = g["init.queue"].clone(), g["init.queue2"].clone()
    ptr = 0
    opt = torch.optim.SGD(params, lr=j["sgd"]["lr"], momentum=j["sgd"]["momentum"], weight_decay=j["sgd"]["weight_decay"])
    T, lam, m = j["temperature"], j["loss_lambda"], j["momentum"]
    named = dict(zip(full, params))
    s = 1
    while f"step{s}.loss" in g:
        p_ = f"step{s}."
        im_q, im_k = g[p_ + "im_q"], g[p_ + "im_k"]
        opt.zero_grad()
        qb = bq(im_q)
        q = nq["mlp"](F.adaptive_avg_pool2d(qb, 1).flatten(1)); qg = nq["mlp2"](qb).flatten(2)
        q, qg, qbn = F.normalize(q, dim=1), F.normalize(qg, dim=1), F.normalize(qb.flatten(2), dim=1)
        with torch.no_grad():
            for pq, pk in zip(params, kparams):
                pk.mul_(m).add_(pq.detach(), alpha=1 - m)
            perm = g[p_ + "shuffle"] if groups > 1 else torch.arange(im_k.shape[0])
            inv = torch.argsort(perm)
            kb = bk(im_k[perm])
            kd = nk["mlp2"](kb)
            k = nk["mlp"](F.adaptive_avg_pool2d(kb, 1).flatten(1))[inv]
            k2 = F.adaptive_avg_pool2d(kd, 1).flatten(1)[inv]
            kg = kd.flatten(2)[inv]; kb = kb[inv]
            k, kg, k2, kbn = F.normalize(k, dim=1), F.normalize(kg, dim=1), F.normalize(k2, dim=1), F.normalize(kb.flatten(2), dim=1)
        l_pos, l_neg = (q * k).sum(1, keepdim=True), q @ queue.clone()
        idx = torch.bmm(qbn.transpose(1, 2), kbn).argmax(2)
        kgi = torch.gather(kg, 2, idx.unsqueeze(1).expand(-1, kg.size(1), -1))
        lpd = (qg * kgi).sum(1).reshape(-1, 1); lnd = qg.transpose(1, 2).reshape(-1, qg.size(1)) @ queue2.clone()
        ce = lambda a, b: F.cross_entropy(torch.cat([a, b], 1) / T, torch.zeros(a.size(0), dtype=torch.long))
        ls, ld = ce(l_pos, l_neg), ce(lpd, lnd)
        loss = (1 - lam) * ls + lam * ld
        with torch.no_grad():
            n = k.size(0); queue[:, ptr:ptr + n] = k.T; queue2[:, ptr:ptr + n] = k2.T; ptr = (ptr + n) % queue.shape[1]
        loss.backward()
        grads = {k_: named[k_[len(p_ + "grad."):]].grad.clone() for k_ in g if k_.startswith(p_ + "grad.")}
        opt.step()
        rel = lambda a, b: float((a - b).abs().max() / b.abs().max().clamp_min(1e-12))
        print(f"{p_}losses rel {rel(ls, g[p_ + 'loss_single'][0]):.1e} {rel(ld, g[p_ + 'loss_dense'][0]):.1e} corr exact {torch.equal(idx, g[p_ + 'corr_index'])}")
        for k_, v in grads.items():
            print(f"{k_} rel {rel(v, g[k_]):.2e}")
        s += 1


if __name__ == "__main__":
    main()
