"""Training-loop side of bench/experiments.mjs (issue 15): run with the venv's python, in a
trove repository, with TROVE_BIN set. Prints one JSON object on stdout.

  e1 STEPS BACKBONE HEAD KEEPSAKE_DIR   STEPS checkpoints of model.pth = backbone + head; after each
                                         one (outside anything timed) a tar.gz of it, as Keepsake
                                         stores a checkpoint, and the file's md5 (DVC's cache key)
  e2 STEPS BACKBONE HEAD                time around experiment.checkpoint(path="model.pth") per step
  e4 CALLS                              time around experiment.checkpoint(step=i, metrics={...})
"""
import hashlib
import json
import os
import random
import sys
import tarfile
import time

import trove

mode = sys.argv[1]


SEED = int(os.environ.get("BENCH_EXP_SEED", "1"))


def random_bytes(n, seed):
    # Seeded, so that every run of the bench stores the same bytes: where the content-defined chunk
    # boundaries fall near the end of the backbone (and so how much of it is stored again with each
    # new head) depends on the bytes, by up to one chunk per step.
    r = random.Random(seed)
    return r.randbytes(n) if hasattr(r, "randbytes") else r.getrandbits(8 * n).to_bytes(n, "little") if n else b""


def model_writer(backbone_bytes, head_bytes):
    # A frozen backbone (the same random bytes every step) and a head that changes every step,
    # written as one file as torch.save(model.state_dict(), "model.pth") would: the whole file each time.
    backbone = random_bytes(backbone_bytes, SEED)

    def write(step):
        with open("model.pth", "wb") as f:
            f.write(backbone)
            f.write(random_bytes(head_bytes, SEED * 1_000_003 + step + 1))
        return backbone_bytes + head_bytes

    return write


if mode == "e1":
    steps, backbone, head, keepsake_dir = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    write = model_writer(backbone, head)
    os.makedirs(keepsake_dir, exist_ok=True)
    sizes = {}
    tar_bytes = 0
    exp = trove.init(path=".", params={"bench": "e1"})
    for step in range(steps):
        size = write(step)
        exp.checkpoint(path="model.pth", step=step, metrics={"loss": 1.0 / (step + 1)}, primary_metric=("loss", "minimize"))
        # Keepsake: one tar.gz of the checkpoint's files per checkpoint (python tarfile, gzip, default level).
        tgz = os.path.join(keepsake_dir, "checkpoint-{}.tar.gz".format(step))
        with tarfile.open(tgz, "w:gz") as t:
            t.add("model.pth", arcname="model.pth")
        tar_bytes += os.path.getsize(tgz)
        os.remove(tgz)  # only its size is needed; keeps the bench's disk use to one copy
        h = hashlib.md5()
        with open("model.pth", "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        sizes[h.hexdigest()] = size
    exp.stop()
    print(json.dumps({"steps": steps, "checkpointBytes": backbone + head, "keepsakeBytes": tar_bytes, "dvcBytes": sum(sizes.values()), "distinctFiles": len(sizes)}))

elif mode == "e2":
    steps, backbone, head = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    write = model_writer(backbone, head)
    times = []
    exp = trove.init(path=".", params={"bench": "e2"})
    for step in range(steps):
        write(step)
        t = time.perf_counter()
        exp.checkpoint(path="model.pth", step=step, metrics={"loss": 1.0 / (step + 1)})
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    exp.stop()
    print(json.dumps({"stepsS": times, "stopS": time.perf_counter() - t}))

elif mode == "e4":
    calls = int(sys.argv[2])
    exp = trove.init(path=".", params={"bench": "e4"})
    exp.checkpoint(step=0, metrics={"loss": 1.0, "accuracy": 0.0})  # warm-up, not counted
    t = time.perf_counter()
    for i in range(1, calls + 1):
        exp.checkpoint(step=i, metrics={"loss": 1.0 / i, "accuracy": 1.0 - 1.0 / i})
    total = time.perf_counter() - t
    exp.stop()
    print(json.dumps({"calls": calls, "totalS": total, "meanS": total / calls}))
else:
    raise SystemExit("unknown mode " + mode)
