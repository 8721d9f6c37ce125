"""ef.alpha refuses what it cannot analyse before it starts: bad options and sizes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.coefficients.alpha_family import _alpha_checks as _alpha
from efficacy.errors import DataError, EfficacyError


@pytest.fixture
def items() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    trait = rng.normal(size=40)
    return pd.DataFrame(
        {f"q{j}": np.clip(np.rint(3 + trait + rng.normal(size=40)), 1, 5) for j in range(4)}
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"level": 1.5}, "level"),
        ({"level": "high"}, "level"),
        ({"level": True}, "level"),
        ({"ci": "normal"}, "ci must be"),
        ({"ci": ["feldt"]}, "ci must be"),
        ({"ci": "bootstrap", "n_boot": 1}, "n_boot"),
        ({"ci": "bootstrap", "n_boot": 10.5}, "n_boot"),
        ({"ci": "bootstrap", "n_boot": "100"}, "n_boot"),
        ({"ci": "bca", "n_boot": float("nan")}, "n_boot"),
        ({"min": 1}, "both min and max"),
        ({"min": 5, "max": 1}, "min must be below max"),
        ({"min": "1", "max": "5"}, "finite numbers"),
        ({"min": 1, "max": float("inf")}, "finite numbers"),
        ({"nan_policy": "drop"}, "nan_policy"),
        ({"nan_policy": None}, "nan_policy"),
        ({"psych_version": 2.5}, "psych_version"),
    ],
)
def test_bad_options_are_efficacy_errors_and_still_value_errors(items, options, message):
    with pytest.raises(DataError, match=message) as info:
        ef.alpha(items, **options)
    assert isinstance(info.value, EfficacyError)
    assert isinstance(info.value, ValueError)


def test_too_many_items_are_refused_up_front_with_the_size():
    wide = np.zeros((3, 20_000))
    with pytest.raises(DataError, match=r"20000 items would allocate about 192\.0 TB"):
        ef.alpha(wide)
    with pytest.raises(DataError, match="items would allocate"):
        ef.alpha(pd.DataFrame(wide))


def test_the_size_limit_is_the_documented_constant(items, monkeypatch):
    assert _alpha.workspace_bytes(*items.shape) < _alpha.MAX_WORKSPACE_BYTES
    monkeypatch.setattr(_alpha, "MAX_WORKSPACE_BYTES", _alpha.workspace_bytes(40, 3))
    with pytest.raises(DataError, match="about 3 items with 40 rows"):
        ef.alpha(items)
    assert ef.alpha(items[["q0", "q1", "q2"]]).n_items == 3


def test_huge_integer_codes_do_not_allocate_a_table_of_their_range():
    """The code counter of alpha's fast path once sized a bincount by the largest value."""
    items = pd.DataFrame({"a": [0, 0, 0, 2**62], "b": [1, 2, 1, 2], "c": [2, 1, 2, 2]})
    result = ef.alpha(items)
    assert result.n_items == 3
    assert "a" not in result.response_freq.index  # its range is too wide to tabulate


def test_huge_values_give_nan_statistics_not_an_overflow_error():
    items = pd.DataFrame({"a": [0.0, 1e300, 2.0], "b": [1, 2, 1], "c": [2, 1, 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ef.alpha(items)
    assert result.n_obs == 3


def test_values_whose_squares_overflow_give_nan_not_a_linear_algebra_error():
    items = pd.DataFrame(
        {
            "a": [0.0, 0.0, 0.0, 2.0**62],
            "b": [0.0, 0.0, 1e300, np.nan],
            "c": [1.0, 1.0, 1.0, 2.0],
            "d": [1.0, 1.0, 1.0, 2.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ef.alpha(items)
    assert np.isnan(result.g6)


def test_smc_of_a_stack_with_a_non_finite_matrix():
    from efficacy.coefficients._moments import smc

    good = np.array([[1.0, 0.6], [0.6, 1.0]])
    stack = np.stack([good, np.full((2, 2), np.inf)])
    out = smc(stack)
    assert out[0].round(4).tolist() == [0.36, 0.36]
    assert np.isnan(out[1]).all()
