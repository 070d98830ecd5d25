"""Score a checked-out checkpoint of seed 004's model on the validation split: prints the accuracy.
Usage: python score.py MODEL_FILE (model.pth from main_torch.py, model.npz from main_numpy.py)."""
import sys

sys.path.insert(0, ".")


def main(path):
    if path.endswith(".pth"):
        import torch
        from sklearn.datasets import load_iris
        from sklearn.model_selection import train_test_split

        iris = load_iris()
        _, val_features, _, val_labels = train_test_split(iris.data, iris.target, train_size=0.8, test_size=0.2, random_state=0, stratify=iris.target)
        try:
            model = torch.load(path, weights_only=False)
        except TypeError:  # torch < 1.13 has no weights_only
            model = torch.load(path)
        model.eval()
        with torch.no_grad():
            output = model(torch.FloatTensor(val_features))
            acc = (output.argmax(1) == torch.LongTensor(val_labels)).float().sum() / len(val_labels)
        return float(acc.item())
    import numpy as np
    import main  # the training script: its data and accuracy()

    _, val_features, _, val_labels = main.load_data()
    with np.load(path) as z:
        model = {k: z[k] for k in z.files}
    val_features = (val_features - model["mean"]) / model["std"]
    return float(main.accuracy(model, val_features, val_labels))


if __name__ == "__main__":
    print(repr(main(sys.argv[1])))
