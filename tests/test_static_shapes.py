"""Fixed reshape targets (redline.model.static_shapes): the constant form of a target read at
two sentence lengths."""

from __future__ import annotations

import numpy as np

from redline.model.static_shapes import _static_target


def _runs(*pairs: tuple[tuple[int, ...], list[int]]) -> list:
    return [(shape, np.array(target)) for shape, target in pairs]


def test_a_dimension_that_follows_the_input_is_copied_and_a_constant_stays() -> None:
    # (batch, tokens, 384) -> (batch, tokens, 12 heads, 32)
    runs = _runs(((1, 7, 384), [1, 7, 12, 32]), ((1, 22, 384), [1, 22, 12, 32]))
    assert _static_target(runs) == [0, 0, 12, 32]


def test_a_length_that_moves_to_another_place_is_inferred() -> None:
    # (tokens,) mask -> (1, 1, 1, tokens)
    runs = _runs(((7,), [1, 1, 1, 7]), ((22,), [1, 1, 1, 22]))
    assert _static_target(runs) == [1, 1, 1, -1]


def test_no_constant_form_when_two_dimensions_vary_or_a_target_holds_zero() -> None:
    runs = _runs(((1, 7, 384), [7, 7, -1]), ((1, 22, 384), [22, 22, -1]))
    assert _static_target(runs) is None
    assert _static_target(_runs(((0, 7), [0, 7]), ((0, 22), [0, 22]))) is None


def test_a_dimension_that_follows_the_batch_is_never_a_constant() -> None:
    """Read at one sentence and at a batch of two: the batch dimension is copied, and a target
    in which both the batch and the length move to other places has no constant form."""
    runs = _runs(((1, 7, 384), [1, 7, 12, 32]), ((2, 22, 384), [2, 22, 12, 32]))
    assert _static_target(runs) == [0, 0, 12, 32]
    runs = _runs(((7,), [1, 1, 1, 7]), ((44,), [2, 1, 1, 22]))
    assert _static_target(runs) is None
