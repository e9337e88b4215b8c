"""Experiment, not shipped: does the sentence before help the statement classifier?

Trains the shipped recipe (``redline.model.train``: same data, seed, epochs, learning rate,
class weights) with each sentence paired with the one before it in its document (the encoder's
second segment is the sentence, and only its tokens are pooled), then compares, on the dev
sentences of news and statements, the average precision and best F1 of each class with the
shipped int8 model. Needs the train extra; about 25 minutes on 2 cores.

    python scripts/experiment_context_pairs.py

Caveats: one seed; the experimental model is scored in float32, the shipped one in int8; the
comparison is per sentence, not per item of the extractor.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np


def main() -> None:
    import torch
    from sklearn.metrics import average_precision_score, precision_recall_curve
    from tokenizers import Tokenizer

    from redline.gold.annotations import CLASSES
    from redline.gold.evaluation import load
    from redline.model import train as recipe
    from redline.model.classifier import load_classifier
    from redline.model.dataset import examples, label_matrix

    gold, documents = load()
    cfg = recipe.TrainConfig()
    recipe._seed_everything(cfg.seed)
    rng = random.Random(cfg.seed)
    train_set, dev_set = recipe.training_sets(examples(gold, documents), cfg, rng)
    before: dict[tuple[str, int], str] = {}
    for doc_id, doc in documents.items():
        spans = doc.sentences
        for i, (start, _) in enumerate(spans):
            before[(doc_id, start)] = doc.text[spans[i - 1][0] : spans[i - 1][1]] if i else ""
    base = recipe.base_model_dir()
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.enable_truncation(2 * cfg.max_length, strategy="longest_first")
    tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(batch: list[Any]) -> tuple[Any, Any, Any]:
        pairs = [(before.get((ex.doc, ex.start)) or ".", ex.text) for ex in batch]
        enc = tok.encode_batch(pairs)
        return (
            torch.tensor([e.ids for e in enc]),
            torch.tensor([e.attention_mask for e in enc]),
            torch.tensor([e.type_ids for e in enc]),
        )

    model = recipe._build(base)

    def forward(ids: Any, mask: Any, types: Any) -> Any:
        out = model.encoder(input_ids=ids, attention_mask=mask, token_type_ids=types)
        own = (mask * types).unsqueeze(-1).to(out.last_hidden_state.dtype)  # the sentence only
        pooled = (out.last_hidden_state * own).sum(1) / own.sum(1).clamp(min=1.0)
        return model.head(model.dropout(pooled))

    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, weight_decay=0.01)
    steps = cfg.epochs * ((len(train_set) + cfg.batch_size - 1) // cfg.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / steps)
    )
    positives = np.array(label_matrix(train_set)).sum(0)
    weight = np.clip((len(train_set) - positives) / np.maximum(positives, 1), 1, 8) ** 0.5
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight, dtype=torch.float32))
    started = time.time()
    for epoch in range(cfg.epochs):
        model.train()
        order = list(range(len(train_set)))
        rng.shuffle(order)
        for lo in range(0, len(order), cfg.batch_size):
            batch = [train_set[i] for i in order[lo : lo + cfg.batch_size]]
            target = torch.tensor(label_matrix(batch), dtype=torch.float32)
            loss = loss_fn(forward(*encode(batch)), target)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        print(f"epoch {epoch + 1}: {time.time() - started:.0f} s", flush=True)
    model.eval()
    dev = [ex for ex in dev_set if ex.source in ("news", "statements")]
    with torch.no_grad():
        paired = np.concatenate(
            [
                torch.sigmoid(forward(*encode(dev[lo : lo + 64]))).numpy()
                for lo in range(0, len(dev), 64)
            ]
        )
    shipped = np.array(load_classifier().gated_probabilities([ex.text for ex in dev]))
    truth = np.array(label_matrix(dev))
    for i, cls in enumerate(CLASSES):
        if not truth[:, i].any():
            continue

        def best_f1(p: Any, i: int = i) -> float:
            pr, rc, _ = precision_recall_curve(truth[:, i], p)
            return float((2 * pr * rc / np.maximum(pr + rc, 1e-9)).max())

        print(
            f"{cls}: {int(truth[:, i].sum())} dev sentences; average precision "
            f"{average_precision_score(truth[:, i], paired[:, i]):.3f} with the sentence before, "
            f"{average_precision_score(truth[:, i], shipped[:, i]):.3f} shipped; best F1 "
            f"{best_f1(paired[:, i]):.3f} against {best_f1(shipped[:, i]):.3f}"
        )


if __name__ == "__main__":
    main()
