### Let this be main.py ###
# Seed 004's training script with the same loop in numpy, for machines without torch:
# a softmax regression trained by full-batch gradient descent on scikit-learn's iris
# (generated data of the same shape when scikit-learn is not importable). The two
# Keepsake lines are unchanged; the import is `import trove as keepsake`.

import argparse
import trove as keepsake
import numpy as np


def load_data():
    try:
        from sklearn.datasets import load_iris
        from sklearn.model_selection import train_test_split
    except ImportError:
        rng = np.random.default_rng(0)
        centers = np.array([[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.5, 2.0]])
        labels = np.repeat(np.arange(3), 50)
        features = centers[labels] + rng.normal(0, 0.35, size=(150, 4))
        order = rng.permutation(150)
        features, labels = features[order], labels[order]
        return features[:120], features[120:], labels[:120], labels[120:]
    iris = load_iris()
    return train_test_split(
        iris.data,
        iris.target,
        train_size=0.8,
        test_size=0.2,
        random_state=0,
        stratify=iris.target,
    )


def predict(model, features):
    return features @ model["W"] + model["b"]


def accuracy(model, features, labels):
    return (predict(model, features).argmax(1) == labels).astype(np.float32).sum() / len(labels)


def train(learning_rate, num_epochs):
    experiment = keepsake.init(
        path=".",
        params={"learning_rate": learning_rate, "num_epochs": num_epochs},
    )

    print("Downloading data set...")
    train_features, val_features, train_labels, val_labels = load_data()
    mean, std = train_features.mean(0), train_features.std(0)
    train_features = (train_features - mean) / std
    val_features = (val_features - mean) / std

    rng = np.random.default_rng(0)
    model = {"W": rng.normal(0, 0.1, size=(4, 3)), "b": np.zeros(3), "mean": mean, "std": std}
    onehot = np.eye(3)[train_labels]

    for epoch in range(num_epochs):
        logits = predict(model, train_features)
        logits = logits - logits.max(1, keepdims=True)
        probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        loss = -np.log(probs[np.arange(len(train_labels)), train_labels]).mean()
        grad = (probs - onehot) / len(train_labels)
        model["W"] = model["W"] - learning_rate * train_features.T @ grad
        model["b"] = model["b"] - learning_rate * grad.sum(0)

        acc = accuracy(model, val_features, val_labels)  # a numpy scalar, as torch's is a tensor

        print(
            "Epoch {}, train loss: {:.3f}, validation accuracy: {:.3f}".format(
                epoch, loss.item(), acc
            )
        )
        np.savez("model.npz", **model)
        experiment.checkpoint(
            path="model.npz",
            step=epoch,
            metrics={"loss": loss.item(), "accuracy": acc},
            primary_metric=("loss", "minimize"),
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning_rate", type=float, default=0.01)
    parser.add_argument("--num_epochs", type=int, default=100)
    args = parser.parse_args()
    train(args.learning_rate, args.num_epochs)
