"""``redline train``: retrain the statement classifier from the gold and analysts' reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redline.cli.common import app, console
from redline.model.train import BASE_LAYERS, CONTEXT_TOKENS


@app.command("train")
def train_command(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the model here (default: the packaged model directory)."
        ),
    ] = None,
    shared: Annotated[
        Path | None,
        typer.Option("--shared", help="The shared/ folder with the corpora (default ../shared)."),
    ] = None,
    db: Annotated[
        list[str] | None,
        typer.Option(
            "--reviews-from",
            help="A ledger whose confirm/reject reviews become training examples (repeatable).",
        ),
    ] = None,
    with_written: Annotated[
        bool,
        typer.Option(
            "--with-written",
            help="Also train the encoder on the sentences written from the codebook that ship "
            "with Redline (redline/data/written/; measured worse on real text, so the shipped "
            "model does not use them).",
        ),
    ] = False,
    written: Annotated[
        list[Path] | None,
        typer.Option(
            "--written",
            help="Also train the encoder on a JSON Lines file (or a folder of them) of your own "
            'written sentences: {"text", "labels", "reason"} (repeatable).',
        ),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training split.")] = 4,
    limit: Annotated[
        int | None, typer.Option(min=8, help="Train on the first N sentences only (a smoke run).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (training is reproducible).")] = 13,
    context_tokens: Annotated[
        int,
        typer.Option(
            min=0,
            max=64,
            help="Tokens of the sentence before that the model reads with each sentence "
            "(0: the sentence alone, about a third cheaper per sentence).",
        ),
    ] = CONTEXT_TOKENS,
    layers: Annotated[
        int,
        typer.Option(
            min=1,
            max=BASE_LAYERS,
            help="Transformer layers kept from the base model, from the bottom (each costs the "
            "same per token at run time).",
        ),
    ] = BASE_LAYERS,
    folds: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also train this many models, each without a fold of the train split, so the "
            "gates can be set on probabilities of sentences the model never saw (about 10 "
            "minutes a fold on 2 cores); 0 reuses the shipped table when it fits the data.",
        ),
    ] = 0,
    learn_dev: Annotated[
        bool,
        typer.Option(
            "--learn-dev",
            help="Also learn from the dev split (the encoder and word heads; the prefilter "
            "still sets its threshold on dev). The gates are then set on out-of-fold "
            "probabilities of train and dev, which needs --folds (or a table for this data), "
            "and `redline eval` no longer counts dev as held out. The test split stays unread.",
        ),
    ] = False,
) -> None:
    """Fine-tune the statement classifier (needs the train extra: pip install 'redline[train]';
    from a checkout, make setup-train or pip install '.[train]').

    Trains on the train split of the real-document gold plus review decisions (and written
    sentences when asked), sets each class's gates on the dev split and on out-of-fold
    probabilities of the train split (--folds, or the shipped table when it fits the data), and
    never reads the test split."""
    from redline.model.dataset import WRITTEN_DIR, examples, ledger_reviews, written_examples
    from redline.model.train import require_training_extra

    # the written files first (reading them needs nothing more): a bad line is named whether
    # or not the training extra is installed
    written_data = []
    for path in [WRITTEN_DIR] * with_written + (written or []):
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for file in files:
            extra = written_examples(file)
            console.print(f"{len(extra)} written sentences from {file}", markup=False)
            written_data.extend(extra)
    require_training_extra()  # before any other work: without torch it failed in a traceback
    from redline.gold.evaluation import load
    from redline.model.classifier import MODEL_DIR
    from redline.model.crossval import OOF_FILE, out_of_fold
    from redline.model.train import TrainConfig, train
    from redline.store import Ledger

    gold, documents = load(shared)
    data = examples(gold, documents)
    for url in db or []:
        extra = ledger_reviews(Ledger.open(url, create=False))
        console.print(f"{len(extra)} review decisions from {url}", markup=False)
        data.extend(extra)
    data.extend(written_data)
    config = TrainConfig(
        epochs=epochs,
        limit=limit,
        seed=seed,
        context_tokens=context_tokens,
        layers=layers,
        learn_dev=learn_dev,
    )
    log = lambda m: console.print(m, markup=False)  # noqa: E731
    table_path = OOF_FILE
    if folds:
        table_path = (out or MODEL_DIR) / OOF_FILE.name
        table_path.parent.mkdir(parents=True, exist_ok=True)
        table = out_of_fold(data, documents, config, folds, log=log, path=table_path)
        log(f"wrote {table_path}: {len(table['rows'])} sentences")
    train(
        data,
        out or MODEL_DIR,
        config,
        log=log,
        calibration=(gold, documents),
        out_of_fold=table_path,
    )
