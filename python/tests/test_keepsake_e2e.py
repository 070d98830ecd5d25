"""Seed 004 end to end: Keepsake's training script with only `import keepsake` changed to
`import trove as keepsake` (torch when importable, else the same loop in numpy), two runs with
different learning rates, then `trove exp ls`, `show`, `diff`, and `checkout` of the best
checkpoint, whose model loads and scores the same accuracy. Also, from the real server: a
checkpoint of a path that does not exist is an error naming the path and the run goes on."""
import json
import os
import shutil
import sys
import tempfile
import unittest

import trove

from _support import HERE, git_repo, real_trove_bin, rm, run, trove_cmd

try:
    import torch  # noqa: F401
    import sklearn  # noqa: F401
    VARIANT = "torch"
except ImportError:
    VARIANT = "numpy"

try:
    import numpy  # noqa: F401
    SKIP = None
except ImportError:  # pragma: no cover
    SKIP = "numpy is not importable (pip install numpy)"

MODEL = "model.pth" if VARIANT == "torch" else "model.npz"
EPOCHS = 25
RATES = (0.05, 0.5) if VARIANT == "numpy" else (0.01, 0.05)


def trove_json(args, cwd):
    p = run(trove_cmd() + ["--json"] + list(args), cwd)
    return json.loads(p.stdout)["result"]


@unittest.skipIf(SKIP is not None, SKIP or "")
@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class Seed004(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.repo = repo = git_repo()
        cls.addClassCleanup(rm, repo)  # also when the training below fails (tearDownClass would not run)
        shutil.copy(os.path.join(HERE, "seed004", "main_{}.py".format(VARIANT)), os.path.join(repo, "main.py"))
        shutil.copy(os.path.join(HERE, "seed004", "score.py"), os.path.join(repo, "score.py"))
        with open(os.path.join(repo, "keepsake.yaml"), "w") as f:
            f.write('repository: "file://.keepsake"\n')
        with open(os.path.join(repo, ".gitignore"), "w") as f:
            f.write("model.*\n__pycache__/\n")
        run(["git", "add", "-A"], repo)
        run(["git", "commit", "-qm", "training script"], repo)
        cls.head = run(["git", "rev-parse", "HEAD"], repo).stdout.strip()
        cls.runs = []
        for lr in RATES:
            p = run([sys.executable, "main.py", "--learning_rate", str(lr), "--num_epochs", str(EPOCHS)], repo)
            cls.runs.append(p)
        cls.first_stderr = cls.runs[0].stderr

    def test_keepsake_yaml_repository_became_the_trove_remote(self):
        self.assertIn('trove remote "keepsake"', self.first_stderr)
        remotes = trove_json(["remote", "list"], self.repo)["remotes"]
        self.assertEqual([r["name"] for r in remotes], ["keepsake"])
        self.assertNotIn('trove remote "keepsake"', self.runs[1].stderr, "said once, when it was added")

    def test_exp_ls_lists_both_runs_with_their_params_and_best_checkpoint(self):
        exps = trove_json(["exp", "ls"], self.repo)["experiments"]
        self.assertEqual(len(exps), 2)
        self.assertEqual(sorted(e["params"]["learning_rate"] for e in exps), sorted(RATES))
        for e in exps:
            self.assertEqual(e["status"], "stopped")
            self.assertEqual(e["checkpoints"], EPOCHS)
            self.assertEqual(e["primary_metric"], {"name": "loss", "goal": "minimize"})
            self.assertIsNotNone(e["best"])
            self.assertEqual(e["latest"]["step"], EPOCHS - 1)
        text = run(trove_cmd() + ["exp", "ls"], self.repo).stdout
        for e in exps:
            self.assertIn(e["id"][:7], text)

    def test_python_analysis_api(self):
        cwd = os.getcwd()
        os.chdir(self.repo)
        try:
            exps = trove.experiments.list()
            self.assertEqual(len(exps), 2)
            by_lr = {e.params["learning_rate"]: e for e in exps}
            e = trove.experiments.get(by_lr[RATES[1]].id[:8])
            self.assertEqual(e.id, by_lr[RATES[1]].id)
            self.assertEqual(len(e.checkpoints), EPOCHS)
            self.assertEqual(e.steps, list(range(EPOCHS)))
            losses = e.metrics["loss"]
            self.assertEqual(len(losses), EPOCHS)
            self.assertEqual(e.best().metrics["loss"], min(losses))
            self.assertEqual(e.latest().step, EPOCHS - 1)
            self.assertEqual(e.command[0], "main.py")
            self.assertEqual(e.python_version, "{}.{}.{}".format(*sys.version_info[:3]))
            self.assertIn("numpy", {k.lower() for k in e.python_packages})
            self.assertEqual(e.code["commit"], self.head)
            self.assertEqual(len(trove.experiments.list(filter=lambda x: x.params["learning_rate"] == RATES[0])), 1)
            try:
                import pandas  # noqa: F401
                df = e.to_pandas()
                self.assertEqual(list(df["loss"]), losses)
            except ImportError:
                with self.assertRaises(ImportError):
                    e.to_pandas()
        finally:
            os.chdir(cwd)

    def test_exp_show_records_params_command_code_and_environment(self):
        exps = trove_json(["exp", "ls"], self.repo)["experiments"]
        shown = trove_json(["exp", "show", exps[0]["id"][:6]], self.repo)["experiment"]
        self.assertEqual(shown["id"], exps[0]["id"])
        self.assertEqual(shown["command"][:2], ["main.py", "--learning_rate"])
        self.assertEqual(shown["code"]["commit"], self.head)
        self.assertIsNone(shown["code"]["dirty"], "main.py is committed; model files are ignored")
        self.assertEqual(len(shown["checkpoints"]), EPOCHS)
        self.assertEqual(shown["checkpoints"][0]["path"], MODEL)
        ck = trove_json(["exp", "show", shown["checkpoints"][3]["id"][:10]], self.repo)["checkpoint"]
        self.assertEqual((ck["step"], ck["experiment"]), (3, shown["id"]))

    def test_promote_the_best_checkpoint_to_a_registry_model(self):
        cwd = os.getcwd()
        os.chdir(self.repo)
        try:
            trove.create("model", "iris-classifier", categories=["iris"], mutability="mutable")
            best = min(trove.experiments.list(), key=lambda e: e.best().metrics["loss"]).best()
            v = best.promote("iris-classifier")
            self.assertEqual(v["tag"], "iris-classifier@v1.0.0")
            self.assertEqual(v["record"]["metrics"]["loss"], best.metrics["loss"])
            table = trove.metrics("iris-classifier")
            self.assertEqual(table.records()[0]["accuracy"], best.metrics["accuracy"])
        finally:
            os.chdir(cwd)

    def test_exp_diff_of_the_two_learning_rates(self):
        exps = trove_json(["exp", "ls"], self.repo)["experiments"]
        d = trove_json(["exp", "diff", exps[0]["id"], exps[1]["id"]], self.repo)
        self.assertIn("learning_rate", json.dumps(d))
        text = run(trove_cmd() + ["exp", "diff", exps[0]["id"][:8], exps[1]["id"][:8]], self.repo).stdout
        self.assertIn("learning_rate", text)

    def test_checkout_of_the_best_checkpoint_loads_and_scores_the_same_accuracy(self):
        exps = trove_json(["exp", "ls"], self.repo)["experiments"]
        best_run = min(exps, key=lambda e: e["best"]["metrics"]["loss"])
        best = best_run["best"]
        out = tempfile.mkdtemp(prefix="trove-py-best-")
        try:
            r = trove_json(["exp", "checkout", best["id"], "-o", out], self.repo)
            self.assertTrue(any(p.endswith(MODEL) for p in r["written"]), r)
            score = float(run([sys.executable, "score.py", os.path.join(out, MODEL)], self.repo).stdout.strip())
            self.assertEqual(score, best["metrics"]["accuracy"])
        finally:
            rm(out)
        # the same through the Python API: checkpoint.checkout(dir) and checkpoint.open()
        cwd = os.getcwd()
        os.chdir(self.repo)
        try:
            ck = trove.experiments.get(best_run["id"]).best()
            self.assertEqual(ck.id, best["id"])
            d = tempfile.mkdtemp(prefix="trove-py-best-")
            try:
                ck.checkout(d)
                self.assertTrue(os.path.isfile(os.path.join(d, MODEL)))
            finally:
                rm(d)
            with ck.open() as f:
                head = f.read(2)
            self.assertEqual(head, b"PK", "torch.save and np.savez both write a zip")
        finally:
            os.chdir(cwd)


@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class CheckpointBadInput(unittest.TestCase):
    def test_checkpoint_of_a_missing_path_names_it_and_the_run_goes_on(self):
        repo = git_repo()
        try:
            p = run([sys.executable, "-c",
                     "import trove\n"
                     "e = trove.init(params={'probe': True})\n"
                     "try:\n"
                     "    e.checkpoint(path='no-such-model.pth', step=0)\n"
                     "except trove.TroveError as err:\n"
                     "    print('ERR', err.code, 'no-such-model.pth' in (err.message + repr(err.data)))\n"
                     "c = e.checkpoint(step=1, metrics={'loss': float('nan')})\n"
                     "print('OK', c.step)\n"
                     "e.stop()\n"
                     "x = trove.experiments.get(e.id)\n"
                     "print('STATUS', x.status, len(x.checkpoints), x.metrics['loss'])\n"], repo)
            self.assertRegex(p.stdout, r"ERR [A-Z_]+ True")
            self.assertIn("OK 1", p.stdout)
            self.assertIn("STATUS stopped 1 [nan]", p.stdout)
        finally:
            rm(repo)


@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class DirectoryCheckpoint(unittest.TestCase):
    def test_directory_checkpoint_open_and_checkout(self):
        repo = git_repo()
        cwd = os.getcwd()
        os.chdir(repo)
        try:
            os.makedirs("ckpt/sub")
            with open("ckpt/a.txt", "w") as f:
                f.write("first")
            with open("ckpt/sub/b.txt", "w") as f:
                f.write("second")
            with trove.init(params={}) as e:
                c = e.checkpoint(path="ckpt", step=0, metrics={"loss": 0.1})
                with open("ckpt/a.txt", "w") as f:
                    f.write("overwritten right after checkpoint() returned")
            self.assertEqual(c.data["kind"], "dir")
            c = trove.experiments.get(e.id).latest()
            with c.open("ckpt/a.txt") as f:
                self.assertEqual(f.read(), b"first")
            with c.open("sub/b.txt") as f:  # relative to the directory the checkpoint saved
                self.assertEqual(f.read(), b"second")
            with self.assertRaises(IsADirectoryError):
                c.open()
            with self.assertRaises(FileNotFoundError):
                c.open("ckpt/nope.txt")
            out = tempfile.mkdtemp(prefix="trove-py-dir-")
            try:
                c.checkout(out)
                with open(os.path.join(out, "ckpt", "sub", "b.txt")) as f:
                    self.assertEqual(f.read(), "second")
            finally:
                rm(out)
        finally:
            os.chdir(cwd)
            rm(repo)


if __name__ == "__main__":
    unittest.main()
