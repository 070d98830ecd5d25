"""A remote that is down during training (issue 15, faults): checkpoint() still returns at once,
stop() waits only its timeout and says what is not pushed, `trove exp push` sends it later."""
import os
import sys
import tempfile
import unittest

import trove

from _support import git_repo, real_trove_bin, rm, run, trove_cmd


@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class RemoteDown(unittest.TestCase):
    def test_remote_down_during_training_then_exp_push(self):
        repo = git_repo()
        scratch = tempfile.mkdtemp(prefix="trove-py-remote-")
        try:
            blocker = os.path.join(scratch, "not-a-dir")
            with open(blocker, "w") as f:
                f.write("a file where the remote's parent directory should be\n")
            down = os.path.join(blocker, "remote")  # every write there fails: ENOTDIR
            run(trove_cmd() + ["remote", "add", "-d", "store", down], repo)
            with open(os.path.join(repo, ".gitignore"), "w") as f:
                f.write("weights.bin\n")
            run(["git", "add", "-A"], repo)
            run(["git", "commit", "-qm", "setup"], repo)
            p = run([sys.executable, "-c",
                     "import os, trove\n"
                     "e = trove.init(params={'remote': 'down'})\n"
                     "for step in range(3):\n"
                     "    open('weights.bin', 'wb').write(os.urandom(100000))\n"
                     "    e.checkpoint(path='weights.bin', step=step, metrics={'loss': 1.0 / (step + 1)})\n"
                     "r = e.stop(timeout=1)\n"
                     "print('STOP', r['pushed'], r['pending'] > 0, e.id)\n"], repo)
            line = next(l for l in p.stdout.splitlines() if l.startswith("STOP"))
            _, pushed, pending, run_id = line.split()
            self.assertEqual((pushed, pending), ("False", "True"))
            cwd = os.getcwd()
            os.chdir(repo)
            try:
                e = trove.experiments.get(run_id)
                self.assertEqual(e.status, "stopped")
                self.assertEqual(len(e.checkpoints), 3)
                self.assertGreater(e.unpushed, 0)
                # the remote comes back (here: moved to a place that works), exp push sends the rest
                up = os.path.join(scratch, "remote")
                run(trove_cmd() + ["remote", "add", "-f", "-d", "store", up], repo)
                run(trove_cmd() + ["exp", "push"], repo)
                self.assertEqual(trove.experiments.get(run_id).unpushed, 0)
            finally:
                os.chdir(cwd)
        finally:
            rm(repo)
            rm(scratch)


if __name__ == "__main__":
    unittest.main()
