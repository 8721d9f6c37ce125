"""Unfinished business of 0.1.0: ordinal alpha in ef.alpha, standard scores without a
single published reliability, build_norms' score column, test_retest's dropped pairs,
binary items with any two values or booleans, and within-range non-integer cells.

Golden value: tests/fixtures/correctness/ordinal_alpha.json (make_ordinal_alpha.R,
psych 2.2.9 on psych's bfi A1-A5).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy import datasets
from efficacy.errors import DataError, InvalidResponseError

FIXTURES = Path(__file__).parent / "fixtures" / "correctness"


# ------------------------------------------------------------------ ordinal alpha


def test_alpha_ordinal_matches_psych() -> None:
    ref = json.loads((FIXTURES / "ordinal_alpha.json").read_text())
    x = pd.read_csv(FIXTURES / "bfi_agreeableness.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.alpha(x, reverse=[ref["reverse"]], min=1, max=6, ordinal=True)
        plain = ef.alpha(x, reverse=[ref["reverse"]], min=1, max=6)
    assert res.ordinal_alpha == pytest.approx(ref["ordinal_alpha"], abs=1e-10)
    assert res.to_frame().loc["total", "ordinal_alpha"] == res.ordinal_alpha
    assert res.alpha == plain.alpha
    assert plain.ordinal_alpha is None
    assert "ordinal_alpha" not in plain.to_frame().columns


def test_alpha_ordinal_without_reverse_equals_ordinal_alpha() -> None:
    rng = np.random.default_rng(3)
    t = rng.normal(size=(200, 1))
    x = pd.DataFrame(
        np.clip(np.round(t + rng.normal(size=(200, 4)) + 3), 1, 5), columns=list("abcd")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.alpha(x, ordinal=True)
        direct = ef.ordinal_alpha(x)
    assert res.ordinal_alpha == direct


# ------------------------------------------------- standardize without a reliability


def test_standardize_gives_standard_scores_without_a_single_reliability() -> None:
    scores = pd.DataFrame({"gse": [35.0, 29.59, 20.0]}, index=["ann", "bob", "cy"])
    with pytest.warns(UserWarning, match="sem and the score intervals are NaN"):
        out = ef.standardize(scores, "gse", norm="world2006")
    given = ef.standardize(scores, "gse", norm="world2006", reliability=0.86)
    cols = ["z", "t", "percentile", "stanine", "sten"]
    pd.testing.assert_frame_equal(out[cols], given[cols])
    assert out["sem"].isna().all() and given["sem"].notna().all()
    assert out.attrs["efficacy"]["reliability"] is None
    assert "only as a range" in out.attrs["efficacy"]["reliability_source"]


# ------------------------------------------------------------ build_norms' column


def test_build_norms_takes_the_only_column_beside_by() -> None:
    scores = pd.DataFrame(
        {"total": [20.0, 30, 30, 40, 25, 35], "nation": ["de", "de", "fr", "fr", "de", "fr"]}
    )
    table = ef.build_norms(scores, by=["nation"], metric="sum")
    assert table.scale == "total"
    assert [g.label for g in table.groups] == ["all", "nation=de", "nation=fr"]
    assert table.groups[1].n == 3 and table.groups[1].mean == 25.0
    same = ef.build_norms(scores, by="nation", metric="sum", scale="total")
    assert same == table
    with pytest.raises(DataError, match="pass scale="):
        ef.build_norms(scores.assign(other=1.0), by=["nation"], metric="sum")


# ------------------------------------------------------------------ test_retest


def test_retest_reports_dropped_pairs() -> None:
    t1 = pd.Series([10.0, 12, np.nan, 9, 20, 17, 11, 14], index=list("abcdefgh"))
    t2 = pd.Series([11.0, 12, 16, 10, np.nan, 18, 13, 14], index=list("abcdefgh"))
    with pytest.warns(UserWarning, match=r"2 of 8 pairs with a missing score.*\['c', 'e'\]"):
        res = ef.test_retest(t1, t2)
    assert res.n == 6 and res.n_dropped == 2 and res.dropped == ("c", "e")
    frame = res.to_frame()
    assert frame.loc["n", "value"] == 6 and frame.loc["n_dropped", "value"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ef.test_retest(t1.dropna(), t2.dropna(), ids=list("abdfgh"))


# ------------------------------------------------------------------ binary items


BINARY = pd.DataFrame(
    {
        "q1": [1, 1, 0, 1, 0, 1, 1, 0],
        "q2": [1, 0, 0, 1, 0, 0, 1, 1],
        "q3": [1, 1, 1, 0, 0, 1, 1, 0],
        "q4": [0, 1, 0, 1, 1, 1, 1, 0],
    }
)


def test_kr_any_two_values_and_booleans() -> None:
    ref20, ref21 = ef.kr20(BINARY).kr20, ef.kr21(BINARY).kr21
    recoded = BINARY.replace({0: 1, 1: 2})  # 1/2 coding: 2 counts as 1
    assert ef.kr20(recoded).kr20 == pytest.approx(ref20, abs=1e-15)
    assert ef.kr21(recoded).kr21 == pytest.approx(ref21, abs=1e-15)
    assert ef.kr20(recoded).positive.tolist() == [2.0] * 4
    booleans = BINARY.astype(bool)
    assert ef.kr20(booleans).kr20 == pytest.approx(ref20, abs=1e-15)
    assert ef.kr20(booleans.to_numpy()).kr20 == pytest.approx(ref20, abs=1e-15)
    nullable = booleans.astype("boolean")
    nullable.loc[2, "q1"] = pd.NA
    res = ef.kr20(nullable, nan_policy="listwise")
    assert res.n_dropped == 1
    assert res.kr20 == pytest.approx(ef.kr20(BINARY.drop(index=2)).kr20, abs=1e-15)


def test_kr_positive_says_which_value_counts_as_one() -> None:
    # Counting 0 as 1 everywhere is reversing every item: KR-20 is unchanged, p flips.
    res = ef.kr20(BINARY, positive=0)
    assert res.kr20 == pytest.approx(ef.kr20(BINARY).kr20, abs=1e-15)
    np.testing.assert_allclose(res.p, 1 - ef.kr20(BINARY).p)
    one = ef.kr20(BINARY, positive={"q1": 0})
    assert one.positive.to_dict() == {"q1": 0.0, "q2": 1.0, "q3": 1.0, "q4": 1.0}
    assert one.kr20 == pytest.approx(ef.kr20(BINARY, reverse=["q1"]).kr20, abs=1e-15)
    with pytest.raises(DataError, match="positive names items that are not in the data"):
        ef.kr20(BINARY, positive={"q9": 1})
    with pytest.raises(DataError, match=r"column 'q1': positive=1 is not one of its values"):
        ef.kr20(BINARY.replace({"q1": {1: 5}}), positive=1)
    three = BINARY.astype(float)
    three.loc[[2, 4], "q1"] = 5.0  # values 1 (x5), 5 (x2), 0 (x1): 1 and 5 are kept
    with pytest.raises(DataError, match=r"column 'q1': 1 cell, rows \[7\], values \[0.0\]"):
        ef.kr20(three, positive=1)


def test_more_than_two_values_still_refused() -> None:
    x = BINARY.astype(float)
    x.loc[[4], "q2"] = 2.0
    with pytest.raises(DataError, match=r"kr20 needs items scored 0/1.*column 'q2': 1 cell"):
        ef.kr20(x)
    with pytest.raises(DataError, match=r"tetrachoric.*column 'q2': 1 cell, rows \[4\]"):
        ef.tetrachoric(x)
    y = BINARY.replace({"q3": {0: 3, 1: 7}}).astype(float)
    y.loc[0, "q3"] = 5.0  # three values, none 0/1: the two most frequent are the item's
    with pytest.raises(DataError, match=r"column 'q3': 1 cell, rows \[0\], values \[5.0\]"):
        ef.kr20(y)


def test_tetrachoric_any_two_values_and_booleans() -> None:
    rng = np.random.default_rng(8)
    t = rng.normal(size=(400, 1))
    x = pd.DataFrame((t + rng.normal(size=(400, 3)) > 0).astype(int), columns=list("abc"))
    ref = ef.tetrachoric(x).rho
    pd.testing.assert_frame_equal(ef.tetrachoric(x.astype(bool)).rho, ref)
    pd.testing.assert_frame_equal(ef.tetrachoric(x * 2 + 3).rho, ref)  # 3/5 coding


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=5, max_value=30).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 1), min_size=n, max_size=n), min_size=3, max_size=5
        )
    ),
    st.tuples(st.integers(-5, 5), st.integers(1, 4)),
)
def test_kr20_is_invariant_to_the_two_codes(columns, coding) -> None:
    x = pd.DataFrame({f"i{j}": c for j, c in enumerate(columns)})
    if (x.sum(axis=1).var(ddof=0) == 0) or (x.nunique() < 2).any():
        return
    low, gap = coding
    recoded = x * gap + low
    assert ef.kr20(recoded).kr20 == pytest.approx(ef.kr20(x).kr20, abs=1e-12)
    assert ef.kr21(recoded).kr21 == pytest.approx(ef.kr21(x).kr21, abs=1e-12)


# --------------------------------------------------- within-range non-integer cells


def _imputed_gse() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    t = rng.normal(size=(120, 1))
    data = pd.DataFrame(
        np.clip(np.round(t + rng.normal(size=(120, 10)) * 0.8 + 2.5), 1, 4),
        columns=[f"gse{i}" for i in range(1, 11)],
    )
    # Person-mean imputation, as the GSE authors' file holds it.
    data.loc[3, "gse2"] = round(data.loc[3].drop("gse2").mean(), 3)
    data.loc[7, "gse9"] = 2.333
    return data


def test_off_grid_keep_uses_the_cells_as_given() -> None:
    data = _imputed_gse()
    with pytest.raises(InvalidResponseError, match="not a response code"):
        ef.reliability(data, "gse")
    with pytest.raises(InvalidResponseError):
        ef.score(data, "gse")
    with pytest.warns(UserWarning, match="2 response cells inside the response range"):
        rel = ef.reliability(data, "gse", off_grid="keep", omega=False)
    assert rel["gse"].alpha.alpha == pytest.approx(ef.alpha(data, min=1, max=4).alpha, abs=1e-15)
    with pytest.warns(UserWarning, match="kept as given"):
        scores = ef.score(data, "gse", off_grid="keep")
    assert scores.loc[7, "gse"] == pytest.approx(data.loc[7].sum(), abs=1e-12)
    with pytest.warns(UserWarning, match="kept as given"):
        items = ef.item_responses(data, "gse", off_grid="keep")
    assert items.loc[7, "gse9"] == 2.333


def test_off_grid_keep_does_not_accept_out_of_range_values() -> None:
    data = _imputed_gse()
    data.loc[5, "gse1"] = 4.5
    with (
        pytest.warns(UserWarning, match="kept as given"),
        pytest.raises(InvalidResponseError, match="outside the response range"),
    ):
        ef.score(data, "gse", off_grid="keep")
    with pytest.raises(DataError, match="off_grid must be"):
        ef.score(data, "gse", off_grid="accept")  # type: ignore[arg-type]


def test_off_grid_on_the_bundled_demo_data() -> None:
    demo = datasets.load_demo()
    with pytest.warns(UserWarning, match="1 response cells inside the response range"):
        kept = ef.score(demo, "gse", on_invalid="missing", off_grid="keep")
    with pytest.warns(UserWarning, match="invalid response cells scored as missing"):
        dropped = ef.score(demo, "gse", on_invalid="missing")
    row = kept.index[(kept["gse_n_valid"] != dropped["gse_n_valid"]).to_numpy()]
    assert len(row) == 1  # the one person-mean imputed 2.333 cell
