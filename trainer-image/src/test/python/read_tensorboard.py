#!/usr/bin/env python3
"""Reads a TensorBoard log directory with TensorBoard's own readers and prints one JSON document:

  "accumulated": {tag: [[step, value], ...]}  EventAccumulator (what TensorBoard's UI shows; purges
                                              orphaned steps on SessionLog.START), every event kept
  "raw":         [[file, step, kind], ...]    every record of every event file, in the order a reader
                                              loads them (file name order), via EventFileLoader, which
                                              checks each record's masked CRC32C
  "files":       [name, ...]
  "framing":     {file: [records, bad]}       records whose length and payload CRCs (TensorBoard's
                                              masked_crc32c) match, and those that do not or are torn

Used by TensorBoardReaderTest; needs the `tensorboard` package (deploy-tests/install-tools.sh makes a venv).

  python read_tensorboard.py LOGDIR
"""
import json, os, struct, sys

from tensorboard.backend.event_processing import event_accumulator, event_file_loader
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c


def framing(path):
    """Checks each TFRecord frame independently of the loader (which stops quietly at a bad record)."""
    good = bad = 0
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i < len(data):
        if len(data) - i < 12:
            return [good, bad + 1]
        header = data[i:i + 8]
        (n,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", data[i + 8:i + 12])
        payload = data[i + 12:i + 12 + n]
        tail = data[i + 12 + n:i + 16 + n]
        if crc != masked_crc32c(header) or len(payload) < n or len(tail) < 4 or struct.unpack("<I", tail)[0] != masked_crc32c(payload):
            return [good, bad + 1]
        good += 1
        i += 16 + n
    return [good, bad]


def main():
    logdir = sys.argv[1]
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.SCALARS: 0}, purge_orphaned_data=True)
    acc.Reload()
    accumulated = {}
    for tag in acc.Tags()["scalars"]:
        accumulated[tag] = [[e.step, e.value] for e in acc.Scalars(tag)]
    files = sorted(f for f in os.listdir(logdir) if "tfevents" in f and os.path.isfile(os.path.join(logdir, f)))
    raw = []
    for f in files:
        for ev in event_file_loader.EventFileLoader(os.path.join(logdir, f)).Load():
            kind = ev.WhichOneof("what") or "none"
            raw.append([f, ev.step, kind])
    checks = {f: framing(os.path.join(logdir, f)) for f in files}
    print(json.dumps({"accumulated": accumulated, "raw": raw, "files": files, "framing": checks}))


if __name__ == "__main__":
    main()
