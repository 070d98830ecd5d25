"""A training script killed with kill -9 mid-checkpoint (issue 15, faults): the run shows as
crashed, every checkpoint it reported as done is there and checks out, `trove exp ls` still works."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import trove

from _support import git_repo, real_trove_bin, rm, run, trove_cmd

SCRIPT = r"""
import os, sys, trove
e = trove.init(params={"kill": True})
print("RUN", e.id, flush=True)
step = 0
while True:
    with open("weights.bin", "wb") as f:
        f.write(os.urandom(256 * 1024) + bytes([step % 256]) * (1024 * 1024))
    c = e.checkpoint(path="weights.bin", step=step, metrics={"loss": 1.0 / (step + 1)}, primary_metric=("loss", "minimize"))
    print("DONE", c.id, step, flush=True)
    step += 1
"""


@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class Killed(unittest.TestCase):
    def test_script_killed_mid_checkpoint_shows_crashed_and_keeps_its_checkpoints(self):
        repo = git_repo()
        try:
            with open(os.path.join(repo, ".gitignore"), "w") as f:
                f.write("weights.bin\n")
            proc = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=repo, stdout=subprocess.PIPE, universal_newlines=True)
            run_id, done = None, []
            for line in proc.stdout:
                parts = line.split()
                if parts and parts[0] == "RUN":
                    run_id = parts[1]
                elif parts and parts[0] == "DONE":
                    done.append(parts[1])
                    if len(done) >= 4:
                        break
            os.kill(proc.pid, signal.SIGKILL)  # mid-loop: the next checkpoint is being written or sent
            proc.wait()
            proc.stdout.close()
            status = None
            for _ in range(100):  # the serve child notices EOF and records the end; no timing asserted
                exps = json.loads(run(trove_cmd() + ["--json", "exp", "ls"], repo).stdout)["result"]["experiments"]
                status = next(e["status"] for e in exps if e["id"] == run_id)
                if status != "running":
                    break
                time.sleep(0.1)
            self.assertEqual(status, "crashed")
            cwd = os.getcwd()
            os.chdir(repo)
            try:
                e = trove.experiments.get(run_id)
                ids = [c.id for c in e.checkpoints]
                for ck in done:
                    self.assertIn(ck, ids, "every checkpoint reported done is kept")
                out = tempfile.mkdtemp(prefix="trove-py-killed-")
                try:
                    e.checkpoints[len(done) - 1].checkout(out)
                    with open(os.path.join(out, "weights.bin"), "rb") as f:
                        self.assertEqual(len(f.read()), 256 * 1024 + 1024 * 1024)
                finally:
                    rm(out)
            finally:
                os.chdir(cwd)
            fsck = run(trove_cmd() + ["--json", "fsck"], repo, check=False)
            self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr)
        finally:
            rm(repo)


if __name__ == "__main__":
    unittest.main()
