"""The client's side of the `trove exp serve` protocol, against tests/fake_trove.py (as TROVE_BIN):
what init sends, checkpoint replies, errors that leave the run going, the child dying, atexit."""
import json
import os
import sys
import tempfile
import unittest

from _support import FAKE, python_script, rm


class Protocol(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="trove-py-proto-")
        os.mkdir(os.path.join(self.dir, ".git"))
        self.log = os.path.join(self.dir, "requests.jsonl")
        self.env = {"TROVE_BIN": FAKE, "FAKE_TROVE_LOG": self.log}

    def tearDown(self):
        rm(self.dir)

    def requests(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def test_init_sends_params_command_python_and_packages(self):
        p = python_script(
            "import trove\n"
            "e = trove.init(path='.', params={'lr': 0.01, 'bad': float('nan')})\n"
            "print('ID', e.id); e.stop()\n",
            self.dir, env=self.env)
        reqs = [r for r in self.requests() if "op" in r]
        self.assertEqual([r["op"] for r in reqs], ["hello", "init", "stop"])
        init = reqs[1]
        self.assertEqual(init["params"], {"lr": 0.01, "bad": {"$float": "NaN"}})
        self.assertEqual(init["path"], ".")
        self.assertEqual(init["command"], ["-c"])
        self.assertEqual(init["python"], "{}.{}.{}".format(*sys.version_info[:3]))
        self.assertIsInstance(init["packages"], dict)
        self.assertEqual(init["on_eof"], "crashed")
        from importlib import metadata
        some = next(d for d in metadata.distributions() if d.metadata["Name"])
        self.assertEqual(init["packages"].get(some.metadata["Name"]), some.version)
        self.assertEqual(reqs[2]["experiment"], p.stdout.split("ID ")[1].strip())

    def test_checkpoint_replies_and_a_missing_path_error_leaves_the_run_going(self):
        p = python_script(
            "import trove\n"
            "open('model.pth', 'wb').write(b'x')\n"
            "with trove.init(params={}) as e:\n"
            "    c = e.checkpoint(path='model.pth', step=1, metrics={'loss': 0.5}, primary_metric=('loss', 'minimize'))\n"
            "    print('CK', c.step, c.metrics, c.path)\n"
            "    try:\n"
            "        e.checkpoint(path='nope.pth', step=2)\n"
            "    except trove.TroveError as err:\n"
            "        print('ERR', err.code, err.data)\n"
            "    e.checkpoint(step=3, metrics={'loss': 0.25})\n"
            "    print('N', len(e.checkpoints), e.best().step, e.latest().step, e.metrics['loss'])\n",
            self.dir, env=self.env)
        self.assertIn("CK 1 {'loss': 0.5} model.pth", p.stdout)
        self.assertIn("ERR NOT_FOUND {'path': 'nope.pth'}", p.stdout)
        self.assertIn("N 2 3 3 [0.5, 0.25]", p.stdout)
        cks = [r for r in self.requests() if r.get("op") == "checkpoint"]
        self.assertEqual(cks[0]["primary_metric"], ["loss", "minimize"])
        self.assertIsNone(cks[2]["primary_metric"])

    def test_bad_metric_is_a_type_error_before_anything_is_sent(self):
        p = python_script(
            "import trove\n"
            "e = trove.init()\n"
            "try:\n"
            "    e.checkpoint(metrics={'eval': {'conf': object()}})\n"
            "except TypeError as err:\n"
            "    print('TE', err)\n",
            self.dir, env=self.env)
        self.assertIn("'eval.conf'", p.stdout)
        self.assertEqual([r["op"] for r in self.requests() if "op" in r], ["hello", "init", "stop"])

    def test_script_that_never_calls_stop_is_stopped_at_exit(self):
        python_script("import trove\ne = trove.init(params={'a': 1})\ne.checkpoint(step=0)\n", self.dir, env=self.env)
        ops = [r.get("op") for r in self.requests() if "op" in r]
        self.assertEqual(ops, ["hello", "init", "checkpoint", "stop"])
        self.assertEqual(self.requests()[-1], {"eof": True, "open": []})

    def test_server_that_dies_is_a_protocol_error(self):
        p = python_script(
            "import trove\n"
            "e = trove.init()\n"
            "try:\n"
            "    e.checkpoint(step=666)\n"
            "except trove.ProtocolError as err:\n"
            "    print('PE', err.code, err.data)\n",
            self.dir, env=self.env)
        self.assertIn("PE PROTOCOL {'exit': 3}", p.stdout)

    def test_other_protocol_version_is_refused(self):
        env = dict(self.env, FAKE_TROVE_PROTOCOL="99")
        p = python_script(
            "import trove\n"
            "try:\n"
            "    trove.init()\n"
            "except trove.ProtocolError as err:\n"
            "    print('PE', err.code)\n",
            self.dir, env=env)
        self.assertIn("PE PROTOCOL", p.stdout)

    def test_keepsake_yaml_repository_becomes_a_trove_remote(self):
        with open(os.path.join(self.dir, "keepsake.yaml"), "w") as f:
            f.write('repository: "file://.keepsake"\n')
        p = python_script("import trove\ntrove.init().stop()\n", self.dir, env=self.env)
        argvs = [r["argv"] for r in self.requests() if "argv" in r]
        self.assertIn(["remote", "list"], argvs)
        self.assertIn(["remote", "add", "--local", "-d", "keepsake", os.path.join(os.path.realpath(self.dir), ".keepsake")]
                      if False else ["remote", "add", "--local", "-d", "keepsake", os.path.join(self.dir, ".keepsake")], argvs)
        self.assertIn('trove remote "keepsake"', p.stderr)
        with open(os.path.join(self.dir, ".git", "info", "exclude")) as f:
            self.assertIn("/.keepsake/", f.read())


if __name__ == "__main__":
    unittest.main()
