"""Bad input and untrustworthy fits: each error or warning names what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError, EfficacyError
from efficacy.validation import FitWarning, ModelError, cfa, invariance
from efficacy.validation._estimate import check_identified
from efficacy.validation._ml import GroupData, fit_ml
from efficacy.validation._model import build_model


def data(n=300, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.array([[1.0, 0.5], [0.0, 0.85]])
    cols = {}
    for j in range(2):
        for i in range(4):
            cols[f"f{j}i{i}"] = (0.9 - 0.1 * i) * f[:, j] + rng.normal(scale=0.6, size=n)
    frame = pd.DataFrame(cols)
    frame["grp"] = np.where(np.arange(n) % 2, "a", "b")
    return frame


DATA = data()
MODEL = {"A": ["f0i0", "f0i1", "f0i2", "f0i3"], "B": ["f1i0", "f1i1", "f1i2", "f1i3"]}


def test_errors_derive_from_efficacy_error():
    assert issubclass(ModelError, EfficacyError)
    assert issubclass(FitWarning, UserWarning)


def test_factor_with_one_item_is_an_error_naming_it():
    with pytest.raises(ModelError, match=r"factor 'B' has 1 item\(s\) \['f1i0'\]"):
        cfa(DATA, model={"A": MODEL["A"], "B": ["f1i0"]})


def test_factor_with_two_items_warns_naming_it():
    with pytest.warns(FitWarning, match=r"factor 'B' has only 2 items \['f1i0', 'f1i1'\]"):
        fit = cfa(DATA, model={"A": MODEL["A"], "B": ["f1i0", "f1i1"]})
    assert fit.converged


def test_single_factor_with_two_items_is_unidentified():
    with pytest.raises(ModelError, match=r"factor 'A' has only 2 items.*not|at least 3"):
        cfa(DATA, model={"A": ["f0i0", "f0i1"]})


def test_item_on_two_factors_loads_on_both():
    fit = cfa(DATA, model={"A": MODEL["A"], "B": [*MODEL["B"], "f0i0"]})
    assert fit.converged
    rows = fit.parameters.set_index(["lhs", "op", "rhs"])
    # the first item of each factor is its marker; a cross-loading is free
    assert not rows.loc[("A", "=~", "f0i0"), "free"]
    assert rows.loc[("B", "=~", "f0i0"), "free"]
    assert list(fit.parameters.query("op == '~~' and lhs == rhs").lhs).count("f0i0") == 1


def test_unidentified_model_names_parameters():
    # a lone 2-item factor: the information matrix is singular
    model = build_model({"A": ["f0i0", "f0i1"]})
    ml = fit_ml(model, [GroupData.from_array(DATA[["f0i0", "f0i1"]].to_numpy())])
    with pytest.raises(ModelError, match=r"not identified.*A=~f0i1|not identified.*A~~A"):
        check_identified(model, ml)


def test_item_without_variance_in_one_group_names_item_and_group():
    frame = DATA.copy()
    frame.loc[frame["grp"] == "a", "f1i2"] = 3.0
    with pytest.raises(DataError, match=r"\['f1i2'\] have no variance in group grp='a'"):
        invariance(frame, model=MODEL, group="grp")


def test_fewer_rows_than_parameters():
    with pytest.raises(DataError, match=r"12 usable rows for 17 free parameters"):
        cfa(DATA.iloc[:12], model=MODEL)


def test_missing_item_column_is_named():
    with pytest.raises(DataError, match=r"lacks 1 column: \['zz'\]"):
        cfa(DATA, model={"A": [*MODEL["A"], "zz"]})


def test_text_item_is_named():
    frame = DATA.copy()
    frame["f0i1"] = frame["f0i1"].astype(str)
    with pytest.raises(DataError, match=r"item 'f0i1' is not numeric"):
        cfa(frame, model=MODEL)


def test_missing_group_label_is_named():
    frame = DATA.copy()
    frame.loc[[4, 9], "grp"] = None
    with pytest.raises(DataError, match=r"group column 'grp' is missing in 2 rows \[4, 9\]"):
        invariance(frame, model=MODEL, group="grp")


def test_one_group_is_not_an_invariance_test():
    frame = DATA.assign(grp="a")
    with pytest.raises(ModelError, match=r"group column 'grp' has one group \['a'\]"):
        invariance(frame, model=MODEL, group="grp")


def test_unknown_estimator_and_missing():
    with pytest.raises(ModelError, match="unknown estimator 'GLS'"):
        cfa(DATA, model=MODEL, estimator="GLS")
    with pytest.raises(ModelError, match="missing='pairwise' is for estimator='WLSMV'"):
        cfa(DATA, model=MODEL, missing="pairwise")


def test_non_convergence_warns_and_is_reported():
    with pytest.warns(FitWarning, match=r"did not converge"):
        fit = cfa(DATA, model=MODEL, max_iter=1)
    assert not fit.converged and not fit.ok
    assert "did not converge" in str(fit.summary())


def heywood_data(n=300, seed=5):
    # one-factor correlations with r(a, .) = .7 and .45 among the rest: a's standardized
    # loading is sqrt(.7 * .7 / .45) > 1, so its residual variance is negative
    cor = np.full((4, 4), 0.45)
    cor[0, :] = cor[:, 0] = 0.7
    np.fill_diagonal(cor, 1.0)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    x = (x - x.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x.T, bias=True))).T
    x = x @ np.linalg.cholesky(cor).T
    return pd.DataFrame(x, columns=["a", "b", "c", "d"])


def test_heywood_case_warns_naming_the_parameter():
    with pytest.warns(FitWarning, match=r"Heywood case: residual variance (\w)~~\1"):
        fit = cfa(heywood_data(), model={"F": ["b", "c", "a", "d"]})
    theta = fit.parameters.query("lhs == 'a' and op == '~~'")["est"].iloc[0]
    assert theta == pytest.approx(1 - 0.7 * 0.7 / 0.45, abs=1e-6)  # by hand: -0.0889
    assert not fit.ok
    assert any("Heywood" in p for p in fit.problems)


def test_no_verdict_for_a_fit_that_did_not_converge():
    frame = DATA.copy()
    inv = invariance(frame, model=MODEL, group="grp")
    assert inv.table.loc["metric", "verdict"] in ("holds", "fails")
    # force the metric level's fit to look unconverged: the verdict must be withheld
    from dataclasses import replace

    from efficacy.validation._invariance import _verdict

    bad = replace(inv.fits["metric"], converged=False)
    row = inv.table.loc["metric"].to_dict()
    _verdict("metric", inv.fits["configural"], bad, row, robust=False)
    assert row["verdict"].startswith("no verdict")


def test_non_positive_definite_latent_covariance_warns_naming_the_factors():
    # items correlate .3 within each factor and .4 across: the factor correlation is
    # .4 / .3 > 1 (exact fit), so the latent covariance matrix is not positive definite
    cor = np.full((6, 6), 0.4)
    cor[:3, :3] = cor[3:, 3:] = 0.3
    np.fill_diagonal(cor, 1.0)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 6))
    x = (x - x.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x.T, bias=True))).T
    frame = pd.DataFrame(x @ np.linalg.cholesky(cor).T, columns=[f"v{i}" for i in range(6)])
    with pytest.warns(
        FitWarning,
        match=r"latent covariance matrix of \['A', 'B'\] is not "
        r"positive definite",
    ):
        fit = cfa(frame, model={"A": ["v0", "v1", "v2"], "B": ["v3", "v4", "v5"]}, std_lv=True)
    r = fit.parameters.query("lhs == 'A' and rhs == 'B'")["est"].iloc[0]
    assert r == pytest.approx(0.4 / 0.3, abs=1e-6)  # by hand
    assert not fit.ok


def test_partial_refuses_names_that_are_not_parameters_of_the_model():
    import numpy as np
    import pandas as pd

    from efficacy.validation import ModelError, invariance

    rng = np.random.default_rng(0)
    trait = rng.normal(size=400)
    data = pd.DataFrame({f"x{j}": trait + rng.normal(size=400) for j in range(4)})
    data["g"] = np.repeat(["a", "b"], 200)
    inv = invariance(data, model={"F": ["x0", "x1", "x2", "x3"]}, group="g")
    for bad in ("F=~x99", "x7~1", "G=~x1", "x1~~x2"):
        with pytest.raises(ModelError, match="cannot free"):
            inv.partial([bad])
    one = inv.partial("x1")  # a single name, not its characters
    assert one.free == ("x1~1",)
    assert one.table.loc["scalar", "df"] == inv.table.loc["scalar", "df"] - 1
