"""Seed 002 (ml-git's MNIST notebook) through the Python client, on scikit-learn's bundled digits:
create, version with metrics and related dataset and labels, add data, version again, check out
model v1 with its data and score it again, export the metrics table (with pandas when importable)."""
import io
import os
import pickle
import unittest

import trove

from _support import git_repo, real_trove_bin, rm, run

try:
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    SKIP = None
except ImportError as exc:  # pragma: no cover - sklearn is installed on the project's machines
    SKIP = "scikit-learn (with numpy) is not importable: {} (pip install scikit-learn)".format(exc)

try:
    import pandas
except ImportError:
    pandas = None

DATASET = "dataset/handwritten/digits/mnist/data/"
LABELS = "labels/handwritten/digits/labelsmnist/data/"
MODEL = "model/handwritten/digits/modelmnist/data/"


def save(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump(obj, f)


def load(path):
    with open(path, "rb") as f:
        return pickle.load(f)


def train_and_score(X_train, y_train, X_test, y_test):
    clf = RandomForestClassifier(n_estimators=25, random_state=42, n_jobs=1)
    clf.fit(X_train, y_train)
    return clf, float(accuracy_score(y_test, clf.predict(X_test)))


@unittest.skipIf(SKIP is not None, SKIP or "")
@unittest.skipIf(real_trove_bin() is None, "TROVE_BIN does not name the built CLI (dist/cli/trove.cjs)")
class NotebookFlow002(unittest.TestCase):
    def test_002_notebook_flow_through_the_python_client(self):
        repo = git_repo()
        cwd = os.getcwd()
        os.chdir(repo)
        try:
            self._flow(repo)
        finally:
            os.chdir(cwd)
            rm(repo)

    def _flow(self, repo):
        run(["git", "add", "-A"], repo)
        run(["git", "commit", "-qm", "trove init"], repo)
        digits = load_digits()
        X, y = digits.data.astype(np.float32), digits.target
        X_test, y_test = X[1400:], y[1400:]
        batch1, batch2 = slice(0, 150), slice(150, 1400)

        # 4 - create the entities (ml-git's plural types and storage arguments are accepted)
        r = trove.create("datasets", "mnist", categories=["handwritten", "digits"], mutability="strict")
        self.assertEqual(r["entity"]["path"], "dataset/handwritten/digits/mnist")
        trove.create("labels", "labelsmnist", categories=["handwritten", "digits"])
        r = trove.create("models", "modelmnist", categories=["handwritten", "digits"], mutability="mutable",
                         bucket_name="mlgit", entity_dir="handwritten/digits")
        self.assertEqual(r["entity"]["mutability"], "mutable")

        # the data of version 1: a first batch and the test set
        save(DATASET + "train-1.pkl", X[batch1])
        save(DATASET + "test.pkl", X_test)
        save(LABELS + "train-1.pkl", y[batch1])
        save(LABELS + "test.pkl", y_test)
        self.assertEqual(trove.version("mnist")["tag"], "mnist@v1.0.0")
        self.assertEqual(trove.version("labelsmnist", dataset="mnist")["record"]["uses"], ["mnist@v1.0.0"])
        clf1, score1 = train_and_score(X[batch1], y[batch1], X_test, y_test)
        save(MODEL + "rf_mnist.sav", clf1)
        v1 = trove.version("modelmnist", metrics={"accuracy": np.float64(score1)}, dataset="mnist", labels="labelsmnist")
        self.assertEqual(v1["tag"], "modelmnist@v1.0.0")
        self.assertEqual(sorted(v1["record"]["uses"]), ["labelsmnist@v1.0.0", "mnist@v1.0.0"])
        self.assertEqual(v1["record"]["metrics"], {"accuracy": score1})

        # 5/6 - new data: a second batch (a strict dataset only gains files), new versions
        save(DATASET + "train-2.pkl", X[batch2])
        save(LABELS + "train-2.pkl", y[batch2])
        self.assertEqual(trove.version("mnist", bump="major")["tag"], "mnist@v2.0.0")
        self.assertEqual(trove.version("labelsmnist", bump="major", dataset="mnist")["tag"], "labelsmnist@v2.0.0")
        X2 = np.concatenate([load(DATASET + "train-1.pkl"), load(DATASET + "train-2.pkl")])
        y2 = np.concatenate([load(LABELS + "train-1.pkl"), load(LABELS + "train-2.pkl")])
        clf2, score2 = train_and_score(X2, y2, X_test, y_test)
        self.assertGreater(score2, score1, "more data, a better model")
        save(MODEL + "rf_mnist.sav", clf2)
        v2 = trove.version("modelmnist", bump="major", metrics={"accuracy": score2}, dataset="mnist", labels="labelsmnist")
        self.assertEqual(sorted(v2["record"]["uses"]), ["labelsmnist@v2.0.0", "mnist@v2.0.0"])

        # a version that exists: TroveError with the CLI's code and the next free version
        with self.assertRaises(trove.TroveError) as cm:
            trove.version("modelmnist", version="2", metrics={"accuracy": score2}, allow_identical=True)
        self.assertEqual(cm.exception.code, "VERSION_EXISTS")

        # 9 - check out model v1 with its data (ml-git's tag and arguments) and score it again
        out = trove.checkout("handwritten__digits__modelmnist__1", dataset=True, labels=True)
        self.assertEqual(sorted((v["tag"], v["dependency"]) for v in out["versions"]),
                         [("labelsmnist@v1.0.0", True), ("mnist@v1.0.0", True), ("modelmnist@v1.0.0", False)])
        self.assertFalse(os.path.exists(DATASET + "train-2.pkl"), "v1 of the dataset has one batch")
        model = load(MODEL + "rf_mnist.sav")
        again = float(accuracy_score(load(LABELS + "test.pkl"), model.predict(load(DATASET + "test.pkl"))))
        self.assertEqual(again, score1)
        # and v2 by its GTO tag
        trove.checkout("modelmnist@v2.0.0", with_deps=True)
        again2 = float(accuracy_score(y_test, load(MODEL + "rf_mnist.sav").predict(X_test)))
        self.assertEqual(again2, score2)

        # conclusions - the metrics table, as ml-git's get_models_metrics(export_type='csv')
        table = trove.metrics("modelmnist", format="csv", naming="mlgit")
        self.assertEqual(table.columns, ["Date", "Tag", "Related dataset - (version)", "Related labels - (version)", "accuracy"])
        self.assertEqual([r[1:] for r in table.rows], [
            ["handwritten__digits__modelmnist__1", "mnist - (1)", "labelsmnist - (1)", score1],
            ["handwritten__digits__modelmnist__2", "mnist - (2)", "labelsmnist - (2)", score2],
        ])
        self.assertTrue(table.text.startswith("Date,Tag,Related dataset - (version),Related labels - (version),accuracy\r\n"))
        exported = trove.metrics("modelmnist", format="csv", output="exports/metrics.csv")
        self.assertEqual(exported.output["path"].replace(os.sep, "/").split("/")[-1], "metrics.csv")
        self.assertTrue(os.path.isfile("exports/metrics.csv"))
        if pandas is not None:
            info_table = pandas.read_csv(io.StringIO(table.text))
            self.assertEqual(list(info_table["accuracy"]), [score1, score2])
            self.assertEqual(list(table.to_pandas()["Tag"]), ["handwritten__digits__modelmnist__1", "handwritten__digits__modelmnist__2"])
        else:
            with self.assertRaises(ImportError) as ie:
                table.to_pandas()
            self.assertIn("pip install pandas", str(ie.exception))

        # a name that does not exist: NOT_FOUND with a hint
        with self.assertRaises(trove.TroveError) as cm:
            trove.metrics("nosuchmodel")
        self.assertEqual(cm.exception.code, "NOT_FOUND")
        self.assertTrue(cm.exception.hint)


if __name__ == "__main__":
    unittest.main()
