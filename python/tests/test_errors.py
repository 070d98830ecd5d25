"""trove.init() outside a Git repository, or with trove not installed: one clear exception with the fix."""
import os
import tempfile
import unittest

import trove
from trove import _serve

from _support import python_script, real_trove_bin, rm


class NotInstalled(unittest.TestCase):
    def setUp(self):
        self.saved = {k: os.environ.get(k) for k in ("TROVE_BIN", "PATH")}
        self.dir = tempfile.mkdtemp(prefix="trove-py-")
        os.mkdir(os.path.join(self.dir, ".git"))  # looks like a repository: the CLI is what is missing

    def tearDown(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _serve.shutdown_server()
        rm(self.dir)

    def test_init_without_trove_on_path_says_how_to_install(self):
        os.environ.pop("TROVE_BIN", None)
        os.environ["PATH"] = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if not os.path.exists(os.path.join(d, "trove")))
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            with self.assertRaises(trove.TroveNotInstalledError) as cm:
                trove.init(params={"lr": 0.1})
        finally:
            os.chdir(cwd)
        err = cm.exception
        self.assertIsInstance(err, trove.TroveError)
        self.assertEqual(err.code, "NOT_INSTALLED")
        self.assertIn("npm install -g", err.hint)
        self.assertIn("TROVE_BIN", err.hint)

    def test_init_with_trove_bin_pointing_nowhere(self):
        os.environ["TROVE_BIN"] = os.path.join(self.dir, "no-such-trove.js")
        cwd = os.getcwd()
        os.chdir(self.dir)
        try:
            with self.assertRaises(trove.TroveNotInstalledError) as cm:
                trove.init()
        finally:
            os.chdir(cwd)
        self.assertEqual(cm.exception.code, "NOT_INSTALLED")
        self.assertEqual(cm.exception.data, {"TROVE_BIN": os.environ["TROVE_BIN"]})

    def test_registry_call_without_trove(self):
        os.environ["TROVE_BIN"] = os.path.join(self.dir, "missing")
        with self.assertRaises(trove.TroveNotInstalledError):
            trove.metrics("modelmnist")


@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class NotARepository(unittest.TestCase):
    def test_init_outside_a_git_repository(self):
        d = tempfile.mkdtemp(prefix="trove-py-norepo-")
        try:
            p = python_script(
                "import trove\n"
                "try:\n"
                "    trove.init(params={'lr': 0.1})\n"
                "except trove.NotAGitRepositoryError as e:\n"
                "    print('CODE', e.code); print('HINT', e.hint); print('ISTROVE', isinstance(e, trove.TroveError))\n",
                d,
                env={"GIT_CEILING_DIRECTORIES": os.path.dirname(d)},
            )
            self.assertIn("CODE NOT_A_GIT_REPO", p.stdout)
            self.assertIn("HINT Run git init", p.stdout)
            self.assertIn("ISTROVE True", p.stdout)
        finally:
            rm(d)


if __name__ == "__main__":
    unittest.main()
