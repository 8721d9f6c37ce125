"""Partial invariance on the ordinal (WLSMV) ladder, against semTools and lavaan.

Reference: ``tests/fixtures/validation/categories_golden.R`` refits the Wu & Estabrook
(2016) ladder of ``semTools::measEq.syntax`` with ``group.partial`` on the items c2..c8 of
categories.csv (3 to 5 categories; c4's thresholds were shifted in group b): all of c4's
thresholds freed, and the lavaan names ``c4|t1`` and ``c6~1``. Every row of
``to_frame()`` within 1e-4 (scaled) and 1e-3 (robust); parameters 1e-5.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.validation import ModelError, invariance

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "categories_golden.json").read_text())
DATA = pd.read_csv(HERE / "categories.csv")
MODEL = {"F1": ["c2", "c3", "c4"], "F2": ["c5", "c6", "c7", "c8"]}
LADDER = ("configural", "thresholds", "metric", "scalar")
SCALED = (
    "npar",
    "chisq",
    "df",
    "pvalue",
    "chisq_scaled",
    "chisq_scaling_factor",
    "pvalue_scaled",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "srmr",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "rmsea_ci_lower_scaled",
    "rmsea_ci_upper_scaled",
)
ROBUST = ("cfi_robust", "tli_robust", "rmsea_robust")


@pytest.fixture(scope="module")
def ladder():
    return invariance(DATA, model=MODEL, group="group", estimator="WLSMV")


@pytest.fixture(scope="module")
def freed_item(ladder):
    return ladder.partial(free=["c4"])


@pytest.fixture(scope="module")
def freed_names(ladder):
    return ladder.partial(free=["c4|t1", "c6 ~ 1"])


def assert_table_matches(result, ref) -> None:
    """Every row of to_frame() against lavaan's fitMeasures and lavTestLRT."""
    table = result.to_frame()
    assert tuple(table.index) == LADDER
    for level in LADDER:
        fm = ref["fits"][level]["fit_measures"]
        row = table.loc[level]
        assert row["converged"], level
        for name, tol in [(n, 1e-4) for n in SCALED] + [(n, 1e-3) for n in ROBUST]:
            value = fm[name if name == "srmr" else name.replace("_", ".")]
            if value is None:  # lavaan 0.6-14: NA once thresholds are held equal
                assert level != "configural" and np.isnan(row[name]), (level, name)
                continue
            assert row[name] == pytest.approx(value, rel=tol / 10, abs=tol), (level, name)
        if level == "configural":
            assert row["verdict"] == "reference"
            continue
        lrt = ref["lrt"][level]
        assert row["df_diff"] == lrt["df_diff"], level
        assert row["chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=1e-5, abs=1e-4)
        assert row["p_diff"] == pytest.approx(lrt["p_diff"], rel=1e-4, abs=1e-8)
        prev = table.index[table.index.get_loc(level) - 1]
        assert row["delta_cfi"] == pytest.approx(row["cfi_scaled"] - table.loc[prev, "cfi_scaled"])


def assert_parameters_match(result, ref) -> None:
    for level in LADDER:
        expected = pd.DataFrame(ref["fits"][level]["parameters"])
        table = result.fits[level].parameters
        table = table.assign(group=table["group"].map({"a": 1, "b": 2}))
        merged = expected.merge(table, on=["lhs", "op", "rhs", "group"], suffixes=("_ref", ""))
        assert len(merged) == len(table)
        for column in ("est", "se"):
            np.testing.assert_allclose(
                merged[column], merged[f"{column}_ref"], atol=1e-5, err_msg=f"{level} {column}"
            )


def test_full_ladder_matches_semtools(ladder):
    assert_table_matches(ladder, GOLDEN["ladder_nobinary"])
    assert ladder.table["verdict"].tolist() == ["reference", "holds", "holds", "fails"]


def test_an_item_frees_all_its_thresholds(freed_item):
    assert freed_item.free == ("c4|t1", "c4|t2", "c4|t3", "c4|t4")
    assert_table_matches(freed_item, GOLDEN["partial_item"])
    assert_parameters_match(freed_item, GOLDEN["partial_item"])
    for level in ("thresholds", "metric", "scalar"):
        params = freed_item.fits[level].parameters.set_index(["lhs", "op", "rhs", "group"])
        a = params.loc[("c4", "|", "t2", "a"), "est"]
        b = params.loc[("c4", "|", "t2", "b"), "est"]
        # the simulation shifted c4's cuts by 0.6 in group b: free thresholds differ
        assert b - a > 0.3, level
        # c4 keeps scale 1 and intercept 0 in group b, as in the configural model
        assert not params.loc[("c4", "~*~", "c4", "b"), "free"]
        assert params.loc[("c4", "~*~", "c4", "b"), "est"] == 1.0
        assert params.loc[("c4", "~1", "", "b"), "est"] == 0.0
        # the other items' thresholds stay equal
        assert (
            params.loc[("c5", "|", "t1", "a"), "est"] == params.loc[("c5", "|", "t1", "b"), "est"]
        )
    # with c4 freed, scalar invariance of the rest holds
    assert freed_item.table.loc["scalar", "verdict"] == "holds"
    assert "c4|t1" in dict(freed_item.summary().rows)["free across groups (partial invariance)"]


def test_lavaan_names_free_one_threshold_or_an_intercept(freed_names):
    assert freed_names.free == ("c4|t1", "c6~1")
    assert_table_matches(freed_names, GOLDEN["partial_names"])
    assert_parameters_match(freed_names, GOLDEN["partial_names"])
    scalar = freed_names.fits["scalar"].parameters.set_index(["lhs", "op", "rhs", "group"])
    # c6's intercept free at scalar; c4 (three thresholds still equal): scale free,
    # intercept held at 0
    assert scalar.loc[("c6", "~1", "", "b"), "free"]
    assert scalar.loc[("c4", "~*~", "c4", "b"), "free"]
    assert not scalar.loc[("c4", "~1", "", "b"), "free"]


def test_partial_refuses_unknown_names(ladder):
    with pytest.raises(ModelError, match=r"cannot free \['c1', 'c4\|t5', 'F2=~c2'\]"):
        ladder.partial(free=["c1", "c4|t5", "F2=~c2"])


def test_score_tests_point_at_the_shifted_item_and_freeing_it_removes_them():
    # c4's thresholds were shifted in group b: at the scalar level its intercept has
    # by far the largest modification index; once c4 is freed, that test is gone and
    # nothing of its size is left
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ladder = invariance(DATA, model=MODEL, group="group", estimator="WLSMV")
        partial = ladder.partial(["c4"])
    top = ladder.fits["scalar"].modification_indices(top=1).iloc[0]
    assert (top["lhs"], top["op"]) == ("c4", "~1") and top["mi"] > 100
    after = partial.fits["scalar"].modification_indices(top=None)
    assert not ((after["lhs"] == "c4") & (after["op"] == "~1")).any()
    assert after["mi"].max() < 20
    per_group = partial.fits["scalar"].reliability
    assert list(per_group["group"].unique()) == ["a", "b"]
