"""Params and metrics that JSON cannot hold (issue 15, bad input): NaN and infinities kept,
numpy scalars converted, anything else a TypeError naming the key."""
import json
import math
import unittest

from trove._values import convert_mapping, from_json_value

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

try:
    import torch
except ImportError:
    torch = None


class Values(unittest.TestCase):
    def test_nan_and_infinities_are_kept_as_dollar_float(self):
        out = convert_mapping({"a": float("nan"), "b": float("inf"), "c": float("-inf"), "d": 1.5}, "metrics")
        self.assertEqual(out, {"a": {"$float": "NaN"}, "b": {"$float": "Infinity"}, "c": {"$float": "-Infinity"}, "d": 1.5})
        json.dumps(out, allow_nan=False)  # strict JSON
        back = from_json_value(out)
        self.assertTrue(math.isnan(back["a"]))
        self.assertEqual(back["b"], float("inf"))
        self.assertEqual(back["c"], float("-inf"))

    def test_nested_values_convert_and_lists_too(self):
        out = convert_mapping({"opt": {"betas": [0.9, float("nan")], "name": "adam"}, "layers": (1, 2)}, "params")
        self.assertEqual(out, {"opt": {"betas": [0.9, {"$float": "NaN"}], "name": "adam"}, "layers": [1, 2]})

    def test_not_a_dict_is_a_type_error(self):
        with self.assertRaises(TypeError):
            convert_mapping([1, 2], "params")

    def test_object_is_a_type_error_naming_the_key(self):
        with self.assertRaises(TypeError) as cm:
            convert_mapping({"model": object()}, "params")
        self.assertIn("'model'", str(cm.exception))

    def test_nested_bad_value_is_named_by_dotted_path(self):
        with self.assertRaises(TypeError) as cm:
            convert_mapping({"optimizer": {"schedule": {"fn": {1, 2}}}}, "params")
        self.assertIn("'optimizer.schedule.fn'", str(cm.exception))

    @unittest.skipIf(np is None, "numpy is not importable")
    def test_numpy_scalars_become_python_numbers(self):
        out = convert_mapping({"f32": np.float32(0.5), "i64": np.int64(3), "b": np.bool_(True), "f64": np.float64(0.25),
                               "zero_d": np.array(2.5), "nan32": np.float32("nan")}, "metrics")
        self.assertEqual(out["f32"], 0.5)
        self.assertIs(type(out["f32"]), float)
        self.assertEqual(out["i64"], 3)
        self.assertIs(type(out["i64"]), int)
        self.assertIs(out["b"], True)
        self.assertEqual(out["f64"], 0.25)
        self.assertIs(type(out["f64"]), float)  # a float subclass, whose repr is np.float64(…)
        self.assertEqual(out["zero_d"], 2.5)
        self.assertEqual(out["nan32"], {"$float": "NaN"})
        json.dumps(out, allow_nan=False)

    @unittest.skipIf(np is None, "numpy is not importable")
    def test_numpy_array_is_a_type_error_naming_the_key(self):
        with self.assertRaises(TypeError) as cm:
            convert_mapping({"train": {"weights": np.zeros((2, 3))}}, "metrics")
        self.assertIn("'train.weights'", str(cm.exception))
        self.assertIn("(2, 3)", str(cm.exception))

    @unittest.skipIf(torch is None, "torch is not importable")
    def test_tensors(self):
        out = convert_mapping({"acc": torch.tensor(0.75)}, "metrics")
        self.assertEqual(out, {"acc": 0.75})
        with self.assertRaises(TypeError) as cm:
            convert_mapping({"w": torch.zeros(3)}, "metrics")
        self.assertIn("'w'", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
