"""Figures of efficacy.item_response: the drawn curves are the model's own numbers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError
from efficacy.item_response import irt
from efficacy.output.plot._irt import information, item_curves


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(8)
    trait = rng.normal(size=800)
    data = pd.DataFrame(
        {f"q{j}": np.digitize(trait + rng.logistic(size=800), [-1.0, 0.5, 1.5]) for j in range(4)}
    )
    return irt(data)


def test_item_curves_draw_category_probabilities(model):
    fig = item_curves(model, ["q1", "q3"], theta_range=(-3, 3))
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    lines = visible[0].get_lines()
    assert len(lines) == 4
    x, y = lines[2].get_data()
    want = model.parameters.probabilities(np.asarray(x))[1][2]
    np.testing.assert_allclose(y, want)
    assert visible[1].get_title() == "q3"
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_item_curves_reject_unknown_items(model):
    with pytest.raises(DataError, match="'zz'"):
        item_curves(model, ["zz"])
    with pytest.raises(DataError, match="theta_range"):
        item_curves(model, theta_range=(2, 1))


def test_information_draws_test_information_and_sem(model):
    fig = information(model, items=True)
    left, right = fig.axes
    x, y = left.get_lines()[0].get_data()
    frame = model.information(np.asarray(x))
    np.testing.assert_allclose(y, frame["test"])
    assert len(left.get_lines()) == 1 + 4
    np.testing.assert_allclose(right.get_lines()[0].get_data()[1], frame["sem"])
    assert "marginal reliability" in left.get_title()
    assert isinstance(fig._repr_png_(), bytes)
