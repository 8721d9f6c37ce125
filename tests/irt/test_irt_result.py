"""GradedModel as a result object: repr, summary, frames, HTML, YAML, sum-score table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError
from efficacy.item_response import GradedModel, irt

FIXTURES = Path(__file__).parents[1] / "fixtures" / "irt"


@pytest.fixture(scope="module")
def model() -> GradedModel:
    return irt(pd.read_csv(FIXTURES / "lsat7.csv"))


def test_repr_is_short_and_readable(model):
    text = repr(model)
    assert text.startswith("GradedModel(model='2PL', log_likelihood=-2659")
    assert "converged=True" in text
    assert "parameters" not in text and "covariance" not in text


def test_summary_names_fit_convergence_and_items(model):
    text = str(model.summary())
    assert "log-likelihood -2658.805" in text
    assert "converged (EM iterations" in text
    assert "marginal reliability" in text
    assert "item5" in text


def test_frames_and_html(model):
    frame = model.to_frame()
    assert frame.columns.tolist() == [
        "a",
        "d1",
        "b1",
        "se_a",
        "se_d1",
        "se_b1",
        "n_categories",
        "n",
    ]
    frame.loc["item1", "a"] = 99.0
    assert model.items.loc["item1", "a"] != 99.0  # a copy
    assert "<table" in model._repr_html_()
    assert model.items.attrs["parameterization"].startswith("slope-intercept")


def test_information_criteria(model):
    assert model.aic == pytest.approx(-2 * model.log_likelihood + 2 * 10)
    assert model.bic == pytest.approx(-2 * model.log_likelihood + np.log(1000) * 10)


def test_default_information_grid(model):
    frame = model.information()
    assert frame["theta"].iloc[0] == -4.0
    assert frame["theta"].iloc[-1] == 4.0
    assert len(frame) == 81


def test_sum_score_table_of_model(model):
    table = model.sum_score_table()
    assert table["sum_score"].tolist() == [0, 1, 2, 3, 4, 5]
    assert np.all(np.diff(table["theta"]) > 0)
    assert table["probability"].sum() == pytest.approx(1.0, abs=1e-12)


def test_to_yaml_needs_a_scale(model):
    with pytest.raises(DataError, match="scale="):
        model.to_yaml("p", "src")
    text = model.to_yaml("LSAT sample", "bock1970", scale="lsat", note='a "quoted" note')
    assert 'note: "a \\"quoted\\" note"' in text
    assert "codes: [0, 1]" in text


def test_scores_methods_agree_in_order(model):
    data = pd.read_csv(FIXTURES / "lsat7.csv").drop_duplicates()
    eap = model.scores(data, "EAP")
    map_ = model.scores(data, "MAP")
    assert np.corrcoef(eap["theta"], map_["theta"])[0, 1] > 0.99
    assert (eap["status"] == "ok").all()
