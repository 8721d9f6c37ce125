"""Binary items under WLSMV: the 2 x 2 tables are treated as lavaan 0.6-14 treats them.

Reference: ``tests/fixtures/validation/binary_cells_golden.R`` (lavaan 0.6-14): a 2 x 2
table with an empty cell gets 0.5 added to that cell's diagonal and taken from the
other (margins kept); two binary items split exactly in half (thresholds 0) get
``-cos(2 pi f11 / n)``; a table with two empty cells gets +-1 with a warning.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError
from efficacy.validation import ModelError, cfa
from efficacy.validation._ordinal import ordinal_stats
from efficacy.validation._warnings import FitWarning

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "binary_cells_golden.json").read_text())


@pytest.mark.parametrize(
    ("case", "file"), [("one_empty", "binary_one_empty.csv"), ("median", "binary_median.csv")]
)
def test_polychorics_and_fit_as_lavaan(case, file):
    data = pd.read_csv(HERE / file)
    ref = GOLDEN[case]
    model = {"F": list(data.columns)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        fit = cfa(data, model=model, estimator="WLSMV")
    codes = data.to_numpy() - data.min().to_numpy()
    rho = ordinal_stats(codes, list(data.columns)).rho
    # lavaan's own estimates stop at nlminb's tolerance, about 1e-8
    np.testing.assert_allclose(rho, np.array(ref["polychoric"]), rtol=0, atol=1e-7)
    for key in ("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled", "srmr"):
        assert fit.fit_measures[key.replace(".", "_")] == pytest.approx(
            ref["fit"][key], rel=1e-4, abs=1e-6
        ), key
    loadings = fit.parameters.query("op == '=~'")["est"].to_numpy()
    np.testing.assert_allclose(loadings, ref["loadings"], atol=1e-5)


def test_the_empty_cell_rule_by_hand():
    # one empty cell (0, 1): +0.5 on the other diagonal, -0.5 on this one; the
    # correlation is then the two-step estimate of the adjusted table, not of the raw
    # one (which runs to the bound)
    data = pd.read_csv(HERE / "binary_one_empty.csv")
    table = pd.crosstab(data["b0"], data["b1"]).to_numpy()
    assert table[0, 1] == 0
    rho = ordinal_stats(data.to_numpy(), list(data.columns)).rho[0, 1]
    assert rho == pytest.approx(GOLDEN["one_empty"]["polychoric"][0][1], abs=1e-7)
    assert abs(rho) < 0.5


def test_median_splits_use_the_closed_form():
    data = pd.read_csv(HERE / "binary_median.csv")
    f11 = int(((data["m0"] == 0) & (data["m1"] == 0)).sum())
    expected = -np.cos(2 * np.pi * f11 / len(data))
    rho = ordinal_stats(data.to_numpy(), list(data.columns)).rho[0, 1]
    assert rho == pytest.approx(expected, abs=1e-15)


def test_two_empty_cells_are_refused_naming_the_pair():
    codes = np.array([[0, 0, 0], [1, 1, 1], [0, 0, 1], [1, 1, 2]] * 30)
    with pytest.raises(DataError, match=r"binary items \[\('a', 'b'\)\]: .*two empty cells"):
        ordinal_stats(codes, ["a", "b", "c"])
    data = pd.DataFrame(codes, columns=["a", "b", "c"]).assign(d=codes[:, 2])
    with pytest.raises(DataError, match="two empty cells"):
        cfa(data, model={"F": ["a", "b", "c", "d"]}, estimator="WLSMV")


def _ordinal_items(n=400, seed=3):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    return pd.DataFrame(
        {
            f"x{j}": np.digitize(0.8 * trait + 0.6 * rng.normal(size=n), [-0.5, 0.5])
            for j in range(4)
        }
    )


def test_an_unidentified_wlsmv_model_is_refused_naming_parameters():
    data = _ordinal_items()
    three = {"F": ["x0", "x1", "x2"]}
    # one factor, 3 items and a residual covariance: 3 correlations for 3 loadings, a
    # factor variance... and the covariance; refused before fitting, as ML refuses it
    with pytest.raises(ModelError, match="not identified"):
        cfa(data, model=three, residual_covariances=[("x0", "x1")])
    with pytest.raises(ModelError, match="not identified"):
        cfa(data, model=three, residual_covariances=[("x0", "x1")], estimator="WLSMV")
    same = {"F1": ["x0", "x1", "x2", "x3"], "F2": ["x0", "x1", "x2", "x3"]}
    with pytest.raises(ModelError, match="not identified"):
        cfa(data, model=same, estimator="WLSMV")
    grouped = data.assign(g=np.repeat(["a", "b"], 200))
    with pytest.raises(ModelError, match="not identified"):
        cfa(grouped, model=same, estimator="WLSMV", group="g")
