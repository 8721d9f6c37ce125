"""The instrument side of efficacy.item_response: the irt: section (schema, meaning checks, build),
scoring from published parameters, to_yaml round trips, fitting an instrument's scales
and reliable change on theta."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import efficacy as ef
from efficacy.errors import DataError, InstrumentError
from efficacy.instrument import from_text
from efficacy.item_response import (
    GradedModel,
    UnobservedCategoryWarning,
    irt,
    reliable_change_theta,
    theta_scores,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "irt"


def score_theta(data, instrument, columns=None, *, method="EAP", apply_min_valid=True):
    """ef.score(method="irt"), or theta_scores of the same coding for MAP and without
    the minimum-valid rule."""
    if method == "EAP" and apply_min_valid:
        return ef.score(data, instrument, columns, method="irt")
    inst = ef.load(instrument)
    values = ef.item_responses(data, inst, columns).to_numpy()
    return theta_scores(values, inst, data.index, method=method, apply_min_valid=apply_min_valid)


BFI_N = FIXTURES / "bfi_n.yaml"
HEADER = BFI_N.read_text().split("\nirt:\n")[0] + "\n"


@pytest.fixture(scope="module")
def neuroticism() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "bfi_neuroticism.csv")


@pytest.fixture(scope="module")
def fitted(neuroticism) -> GradedModel:
    return irt(neuroticism.set_axis(["n1", "n2", "n3", "n4", "n5"], axis=1), min=1, max=6)


def test_calibration_is_loaded(fitted):
    inst = ef.load(BFI_N)
    (entry,) = inst.irt
    assert entry.scale == "neuroticism"
    assert entry.model == "graded"
    assert entry.source.provenance == "C"
    assert [item.id for item in entry.items] == ["n1", "n2", "n3", "n4", "n5"]
    assert entry.items[0].codes == (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    np.testing.assert_allclose([item.a for item in entry.items], fitted.parameters.a, rtol=1e-9)


def test_score_theta_equals_the_fitted_model(neuroticism, fitted):
    got = score_theta(neuroticism, BFI_N, columns="N{n}", apply_min_valid=False)
    want = fitted.scores(neuroticism.set_axis(list(fitted.parameters.names), axis=1))
    np.testing.assert_allclose(got["neuroticism_theta"], want["theta"], atol=1e-9)
    np.testing.assert_allclose(got["neuroticism_se"], want["se"], atol=1e-9)
    np.testing.assert_allclose(got["neuroticism_T"], 50 + 10 * got["neuroticism_theta"])
    assert got.columns.tolist() == [
        "neuroticism_theta",
        "neuroticism_se",
        "neuroticism_T",
        "neuroticism_n_valid",
        "neuroticism_status",
    ]
    assert got.attrs["efficacy"]["methods"] == {"neuroticism": "irt_eap"}
    assert "SAPA" in got.attrs["efficacy"]["calibrations"]["neuroticism"]["population"]


def test_score_theta_applies_min_valid():
    data = pd.DataFrame(
        {
            "N1": [1, 2, None],
            "N2": [2, None, None],
            "N3": [3, None, None],
            "N4": [1, 1, None],
            "N5": [6, None, None],
        }
    )
    got = score_theta(data, BFI_N, columns="N{n}")
    assert got["neuroticism_status"].tolist() == ["ok", "too few answers", "too few answers"]
    assert got["neuroticism_theta"].isna().tolist() == [False, True, True]
    raw = score_theta(data, BFI_N, columns="N{n}", apply_min_valid=False)
    assert raw["neuroticism_status"].tolist() == ["ok", "ok", "no answers"]
    assert raw["neuroticism_theta"].iloc[2] == 0.0


def test_score_theta_rejects_invalid_codes():
    data = pd.DataFrame({f"N{i}": [1, 7] for i in range(1, 6)})
    with pytest.raises(ef.InvalidResponseError):
        score_theta(data, BFI_N, columns="N{n}")


def test_to_yaml_round_trip_is_exact():
    rng = np.random.default_rng(11)
    theta = rng.normal(size=1500)
    data = pd.DataFrame(
        {
            f"n{j}": 1
            + (rng.uniform(size=(1500, 1)) < expit(1.3 * theta[:, None] + [[1.5, 0, -1.5]])).sum(1)
            for j in range(1, 6)
        }
    )
    with pytest.warns(UnobservedCategoryWarning, match=r"categories \[5, 6\] declared"):
        model = irt(data, min=1, max=6)  # codes 5 and 6 never used: left out
    text = (
        HEADER + "irt:\n" + model.to_yaml("simulated", "revelle2010", scale="neuroticism", indent=2)
    )
    inst = from_text(text)
    got = score_theta(data, inst, method="MAP", apply_min_valid=False)
    want = model.scores(data, "MAP")
    np.testing.assert_array_equal(got["neuroticism_theta"], want["theta"])
    assert inst.irt[0].items[0].codes == (1.0, 2.0, 3.0, 4.0)


def _section(item_line: str, scale: str = "neuroticism") -> str:
    items = "\n".join(
        f"      - {{id: n{j}, a: 1.0, d: [2.0, 1.0, 0.0, -1.0, -2.0]}}" for j in range(2, 6)
    )
    return (
        HEADER
        + f"irt:\n  - scale: {scale}\n    model: graded\n    population: p\n"
        + "    source: {ref: revelle2010, provenance: C}\n    items:\n"
        + f"      - {item_line}\n{items}\n"
    )


@pytest.mark.parametrize(
    ("item_line", "message"),
    [
        ("{id: n1, a: 1.0, d: [2.0, 1.0, 0.0, -1.0]}", "4 intercepts for 6 categories"),
        ("{id: n1, a: 1.0, d: [1.0, 2.0, 0.0, -1.0, -2.0]}", "must decrease"),
        ("{id: n1, a: 1.0, d: [1.0], codes: [1, 9]}", r"codes \[9.0\] are not codes"),
        ("{id: n9, a: 1.0, d: [2.0, 1.0, 0.0, -1.0, -2.0]}", "must be the items of scale"),
        ("{id: n1, a: 0, d: [2.0, 1.0, 0.0, -1.0, -2.0]}", "nonzero"),
        ("{id: n1, a: 1.0, d: [2.0, 1.0, 0.0, -1.0, -2.0], b: [1]}", "b"),
    ],
)
def test_bad_sections_are_named(item_line, message):
    with pytest.raises(InstrumentError, match=message):
        from_text(_section(item_line))


def test_unknown_scale_and_missing_calibration():
    with pytest.raises(InstrumentError, match="'nope' is not a scale id"):
        from_text(_section("{id: n1, a: 1.0, d: [2.0, 1.0, 0.0, -1.0, -2.0]}", scale="nope"))
    with pytest.raises(DataError, match="no irt calibration for scale 'gse'"):
        score_theta(pd.DataFrame({f"gse{i}": [1] for i in range(1, 11)}), "gse")


def test_fit_from_instrument_matches_item_frame(neuroticism, fitted):
    model = irt(neuroticism, BFI_N, columns="N{n}")
    assert model.scale == "neuroticism"
    np.testing.assert_array_equal(model.parameters.flat(), fitted.parameters.flat())
    scores = model.scores(neuroticism.head(3), columns="N{n}")
    assert scores.shape == (3, 5)


def test_instrument_with_two_scales_gives_one_model_each(neuroticism):
    text = HEADER.replace(
        "scales:\n",
        "scales:\n  - {id: anger, name: Anger, items: [n1, n2, n3], method: mean, min_valid: 2,"
        " missing_rule: two answers, source: {ref: revelle2010, provenance: S}}\n",
    )
    models = irt(neuroticism.iloc[:600], from_text(text), columns="N{n}")
    assert list(models) == ["anger", "neuroticism"]
    assert models["anger"].n_items == 3
    single = irt(neuroticism.iloc[:600], from_text(text), columns="N{n}", scale="anger")
    np.testing.assert_array_equal(single.parameters.flat(), models["anger"].parameters.flat())


def test_declared_category_never_observed_is_warned_by_name():
    rng = np.random.default_rng(3)
    theta = rng.normal(size=700)
    data = pd.DataFrame(
        {
            f"semcd6_{j}": 3
            + (rng.uniform(size=(700, 1)) < expit(1.5 * theta[:, None] + [[1.0, 0.0, -1.0]])).sum(1)
            for j in range(1, 7)
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = irt(data, "semcd6")
    messages = [str(w.message) for w in caught if w.category is UnobservedCategoryWarning]
    assert len(messages) == 6
    assert messages[0].startswith("item 'semcd6_1': categories [1, 2, 7, 8, 9, 10] declared")
    assert model.items["n_categories"].tolist() == [4] * 6


def test_reliable_change_by_hand():
    pre = pd.DataFrame(
        {
            "theta": [-1.0, 0.5, 0.0, 1.0],
            "se": [0.3, 0.3, 0.5, 0.2],
            "status": ["ok"] * 3 + ["no answers"],
        },
        index=list("abcd"),
    )
    post = pd.DataFrame(
        {"theta": [0.0, -0.5, 0.4, 1.0], "se": [0.4, 0.4, 0.5, 0.2], "status": ["ok"] * 4},
        index=list("dcba"),
    ).iloc[::-1]
    change = reliable_change_theta(pre, post)
    rows = change.persons
    # a: (1.0 - (-1.0)) / sqrt(.3^2 + .2^2); b: (0.4 - 0.5) / sqrt(.3^2 + .5^2)
    assert rows.loc["a", "rci"] == pytest.approx(2.0 / np.sqrt(0.09 + 0.04), rel=1e-12)
    assert rows.loc["b", "rci"] == pytest.approx(-0.1 / np.sqrt(0.09 + 0.25), rel=1e-12)
    assert rows.loc["c", "rci"] == pytest.approx(-0.5 / np.sqrt(0.25 + 0.16), rel=1e-12)
    assert rows["category"].tolist() == ["reliably improved", "unchanged", "unchanged", None]
    assert change.critical_value == pytest.approx(1.959963984540054, rel=1e-12)
    reverse = reliable_change_theta(pre, post, higher_is_better=False)
    assert reverse.persons.loc["a", "category"] == "reliably deteriorated"
    assert change.counts.tolist() == [0, 2, 1]
    text = str(change.summary())
    assert "3 of 4 persons" in text
    assert "reliably improved: 1" in text
    assert "<table" in change._repr_html_()
    assert repr(change).startswith("ThetaChange(level=0.95")


def test_reliable_change_pairs_by_label_and_scale():
    pre = pd.DataFrame({"s_theta": [0.0], "s_se": [0.3]}, index=["x"])
    post = pd.DataFrame({"s_theta": [1.0], "s_se": [0.3]}, index=["y"])
    with pytest.raises(DataError, match=r"only in pre: \['x'\]"):
        reliable_change_theta(pre, post, scale="s")
    with pytest.raises(DataError, match="give scale="):
        reliable_change_theta(pre, pre)
    same = reliable_change_theta(pre, pre.assign(s_theta=[1.0]), scale="s")
    assert same.persons["category"].tolist() == ["reliably improved"]
