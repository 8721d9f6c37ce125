"""ef.alpha against R psych::alpha (golden JSON from tests/fixtures/alpha/alpha_golden.R),
pingouin, explicit resampling, and invariants."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

import efficacy as ef
from efficacy.coefficients.alpha_family import _bootstrap as _alpha_boot
from efficacy.coefficients.alpha_family._alpha import AlphaResult, NegativeItemWarning, alpha
from efficacy.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "alpha"
GOLDEN = json.loads((FIXTURES / "alpha_golden.json").read_text())
TOL = 1e-8

TOTAL = {
    "raw_alpha": "alpha",
    "std.alpha": "std_alpha",
    "G6(smc)": "g6",
    "average_r": "average_r",
    "S/N": "signal_noise",
    "ase": "ase",
    "mean": "mean",
    "sd": "sd",
    "median_r": "median_r",
}
DROP = {
    "raw_alpha": "alpha_if_deleted",
    "std.alpha": "std_alpha_if_deleted",
    "G6(smc)": "g6_if_deleted",
    "average_r": "average_r_if_deleted",
    "S/N": "signal_noise_if_deleted",
    "alpha se": "ase_if_deleted",
    "var.r": "var_r_if_deleted",
    "med.r": "median_r_if_deleted",
}
ITEM = {
    "n": "n",
    "raw.r": "raw_r",
    "std.r": "std_r",
    "r.cor": "r_cor",
    "r.drop": "r_drop",
    "mean": "mean",
    "sd": "sd",
}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name)


CASES = {
    "missing_pairwise": ("likert_missing.csv", {"reverse": ["i3", "i7"]}),
    "missing_listwise": (
        "likert_missing.csv",
        {"reverse": ["i3", "i7"], "nan_policy": "listwise"},
    ),
    "missing_unkeyed": ("likert_missing.csv", {}),
    "complete_observed": ("likert_complete.csv", {"reverse": ["q2"]}),
    "complete_declared": ("likert_complete.csv", {"reverse": ["q2"], "min": 1, "max": 5}),
    "few_rows": ("few_rows.csv", {}),
    "three": ("three.csv", {}),
    "two": ("two.csv", {}),
    "mixed_codes": ("mixed_codes.csv", {}),
    "eleven_codes": ("eleven_codes.csv", {}),
}


def values(column: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in column], dtype=float)


def run(case: str, **extra) -> AlphaResult:
    name, kwargs = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeItemWarning)
        return alpha(read(name), **kwargs, **extra)


def test_fixture_provenance():
    assert GOLDEN["psych_version"] == "2.2.9"
    assert GOLDEN["R_version"].startswith("R version")
    assert set(GOLDEN["cases"]) == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_total_matches_psych(case):
    gold = GOLDEN["cases"][case]
    res = run(case)
    for r_name, field in TOTAL.items():
        assert getattr(res, field) == pytest.approx(gold["total"][r_name], abs=TOL), r_name
    assert res.unidim == pytest.approx(gold["unidim"], abs=TOL)
    assert res.fit == pytest.approx(gold["fit"], abs=TOL)
    if gold["var_r"] is None:  # two items: var() of one correlation is NA
        assert np.isnan(res.var_r)
    else:
        assert res.var_r == pytest.approx(gold["var_r"], abs=TOL)
    assert res.n_obs == gold["n_obs"]
    assert res.ci_method == "feldt"
    assert res.ci == pytest.approx((gold["feldt"]["lower"], gold["feldt"]["upper"]), abs=TOL)


@pytest.mark.parametrize("case", sorted(CASES))
def test_alpha_drop_matches_psych(case):
    gold = GOLDEN["cases"][case]["alpha_drop"]
    res = run(case)
    assert len(gold["rows"]) == res.n_items
    got_columns = set()
    for r_name, column in zip(gold["columns"], gold["values"], strict=True):
        field = DROP[r_name]
        got_columns.add(field)
        np.testing.assert_allclose(res.items[field], values(column), rtol=0, atol=TOL)
    if "ase_if_deleted" not in got_columns:  # psych omits it when N <= k
        assert res.items["ase_if_deleted"].isna().all()


@pytest.mark.parametrize("case", sorted(CASES))
def test_item_stats_match_psych(case):
    gold = GOLDEN["cases"][case]["item_stats"]
    res = run(case)
    # psych appends "-" to reversed item names
    assert [r.rstrip("-") for r in gold["rows"]] == list(res.items.index)
    for r_name, column in zip(gold["columns"], gold["values"], strict=True):
        np.testing.assert_allclose(
            res.items[ITEM[r_name]].to_numpy(float), values(column), rtol=0, atol=TOL
        )


@pytest.mark.parametrize("case", sorted(set(CASES) - {"complete_declared"}))
def test_response_frequencies_match_psych(case):
    # (complete_declared: R was given pre-reversed codes; psych counts raw codes)
    gold = GOLDEN["cases"][case]["response_freq"]
    res = run(case)
    if gold is None:
        assert res.response_freq is None
        return
    freq = res.response_freq
    assert list(freq.index) == gold["rows"]
    assert [str(c) for c in freq.columns] == gold["columns"]
    expected = np.column_stack([values(c) for c in gold["values"]])
    np.testing.assert_allclose(freq.to_numpy(float), expected, rtol=0, atol=TOL)


def test_mixed_codes_counts_only_narrow_items():
    freq = run("mixed_codes").response_freq
    assert "wide" not in freq.index
    assert 1.5 in freq.columns and 2 in freq.columns


def test_duhachek_interval_as_psych_prints_it():
    gold = GOLDEN["cases"]["missing_pairwise"]
    level = 2 * stats.norm.cdf(1.96) - 1  # psych prints alpha -/+ 1.96 ase
    res = run("missing_pairwise", ci="duhachek", level=level)
    assert res.ci == pytest.approx(tuple(gold["duhachek_196"]), abs=TOL)
    default = run("missing_pairwise", ci="duhachek")
    z = stats.norm.ppf(0.975)
    assert default.ci == pytest.approx((res.alpha - z * res.ase, res.alpha + z * res.ase))


def test_psych_25_uses_pairwise_cor():
    gold = GOLDEN["v25"]["missing_pairwise"]
    res = run("missing_pairwise", psych_version="2.5")
    t = gold["total"]
    assert res.alpha == pytest.approx(t["raw"], abs=TOL)
    assert res.std_alpha == pytest.approx(t["std"], abs=TOL)
    assert res.g6 == pytest.approx(t["G6"], abs=TOL)
    assert res.average_r == pytest.approx(t["av.r"], abs=TOL)
    assert res.signal_noise == pytest.approx(t["sn"], abs=TOL)
    assert res.ase == pytest.approx(np.sqrt(t["Q"] / gold["n_obs"]), abs=TOL)
    assert res.unidim == pytest.approx(t["unidim"], abs=TOL)
    assert res.fit == pytest.approx(t["fit"], abs=TOL)
    assert res.var_r == pytest.approx(t["var.r"], abs=TOL)
    assert res.median_r == pytest.approx(t["med.r"], abs=TOL)
    drop = dict(zip(gold["drop_names"], gold["drop"], strict=True))
    for r_name, field in [
        ("raw", "alpha_if_deleted"),
        ("std", "std_alpha_if_deleted"),
        ("G6", "g6_if_deleted"),
        ("av.r", "average_r_if_deleted"),
        ("sn", "signal_noise_if_deleted"),
        ("var.r", "var_r_if_deleted"),
        ("med.r", "median_r_if_deleted"),
    ]:
        np.testing.assert_allclose(res.items[field], drop[r_name], rtol=0, atol=TOL)
    np.testing.assert_allclose(
        res.items["ase_if_deleted"], np.sqrt(np.array(drop["Q"]) / gold["n_obs"]), atol=TOL
    )
    np.testing.assert_allclose(res.items["std_r"], gold["std_r"], rtol=0, atol=TOL)
    np.testing.assert_allclose(res.items["r_cor"], gold["r_cor"], rtol=0, atol=TOL)
    # the two versions differ only in the standardized statistics
    old = run("missing_pairwise")
    assert old.alpha == res.alpha
    assert abs(old.std_alpha - res.std_alpha) > 1e-5


def test_matches_pingouin():
    pingouin = pytest.importorskip("pingouin")
    data = read("likert_missing.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = alpha(data)
        value, ci = pingouin.cronbach_alpha(data)
    assert res.alpha == pytest.approx(value, abs=1e-12)
    assert np.round(res.ci, 3) == pytest.approx(ci, abs=1e-12)


def test_public_name_and_result():
    data = read("likert_complete.csv")
    res = ef.alpha(data, reverse=["q2"], min=1, max=5)
    assert isinstance(res, AlphaResult)
    frame = res.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc["total", "alpha"] == res.alpha
    assert frame.loc["total", "ci_lower"] == res.ci[0]
    text = repr(res)
    assert text.startswith("AlphaResult(alpha=") and "items=<DataFrame 6x15>" in text
    assert res.reverse == ("q2",)
    assert res.boot is None
    assert list(res.items.columns)[:7] == ["n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"]


def test_declared_range_shifts_only_the_reversed_mean():
    observed = run("complete_observed")  # psych: global observed range 1..4, so 5 - x
    declared = run("complete_declared")  # declared 1..5, so 6 - x
    assert declared.alpha == observed.alpha
    assert declared.items.loc["q2", "mean"] == pytest.approx(
        observed.items.loc["q2", "mean"] + 1, abs=1e-12
    )
    assert declared.mean == pytest.approx(observed.mean + 1 / 6, abs=1e-12)


def test_array_input_and_positions():
    data = read("likert_missing.csv")
    by_name = run("missing_pairwise")
    by_position = alpha(data.to_numpy(), reverse=[2, 6])
    assert by_position.alpha == by_name.alpha
    assert list(by_position.items.index) == [f"item{j}" for j in range(1, 9)]
    assert by_position.reverse == ("item3", "item7")
    np.testing.assert_array_equal(by_position.items.to_numpy(float), by_name.items.to_numpy(float))


def test_nullable_and_integer_columns():
    data = read("likert_missing.csv")
    nullable = data.astype("Int64")
    res = alpha(nullable, reverse=["i3", "i7"])
    assert res.alpha == pytest.approx(run("missing_pairwise").alpha, abs=1e-14)
    complete = read("likert_complete.csv").astype(int)
    assert alpha(complete, reverse="q2").alpha == pytest.approx(
        run("complete_observed").alpha, abs=1e-14
    )


def test_negative_item_warning_names_items():
    with pytest.warns(NegativeItemWarning, match=r"\['i3', 'i7'\].*reverse=\['i3', 'i7'\]"):
        alpha(read("likert_missing.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NegativeItemWarning)
        alpha(read("likert_missing.csv"), reverse=["i3", "i7"])
        alpha(read("likert_missing.csv"), warn_negative=False)


# --- chunked one-pass moments against a plain reference ---------------------------------


def reference_alpha(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Raw alpha, item-total r and r_drop from pandas' pairwise cov (R semantics)."""
    frame = pd.DataFrame(x)
    cov = frame.cov().to_numpy()
    k = x.shape[1]
    raw = (1 - np.trace(cov) / cov.sum()) * k / (k - 1)
    total = frame.mean(axis=1)
    raw_r = np.array([total.corr(frame[j]) for j in range(k)])
    rest = np.array([np.delete(np.delete(cov, j, 0), j, 1).sum() for j in range(k)])
    r_drop = (cov.sum(axis=0) - np.diag(cov)) / np.sqrt(np.diag(cov) * rest)
    return raw, raw_r, r_drop


@pytest.mark.parametrize("where", ["spread", "last_chunk", "none"])
def test_many_chunks_match_reference(where):
    rng = np.random.default_rng(7)
    n, k = 30_000, 7
    x = np.clip(np.rint(3 + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 1, 5)
    if where == "spread":
        x[rng.random(x.shape) < 0.02] = np.nan
    elif where == "last_chunk":
        x[n - 5, 3] = np.nan
        x[n - 2, :] = np.nan
    res = alpha(x)
    raw, raw_r, r_drop = reference_alpha(x)
    assert res.alpha == pytest.approx(raw, abs=1e-12)
    np.testing.assert_allclose(res.items["raw_r"], raw_r, atol=1e-12)
    np.testing.assert_allclose(res.items["r_drop"], r_drop, atol=1e-12)
    np.testing.assert_allclose(res.items["mean"], np.nanmean(x, axis=0), atol=1e-12)
    counts = (~np.isnan(x)).sum(axis=0)
    np.testing.assert_array_equal(res.items["n"], counts)
    freq = res.response_freq
    for value in range(1, 6):
        np.testing.assert_allclose(freq[value], (x == value).sum(axis=0) / counts, atol=1e-15)
    listwise = alpha(x, nan_policy="listwise")
    complete_rows = x[~np.isnan(x).any(axis=1)]
    raw, raw_r, _ = reference_alpha(complete_rows)
    assert listwise.alpha == pytest.approx(raw, abs=1e-12)
    np.testing.assert_allclose(listwise.items["raw_r"], raw_r, atol=1e-12)
    np.testing.assert_array_equal(listwise.items["n"], counts)
    assert listwise.mean == pytest.approx(res.mean, abs=1e-12)


def test_one_non_integer_code_is_counted_apart():
    data = read("likert_complete.csv")
    data.loc[5, "q4"] = 2.25
    freq = alpha(data, reverse="q2").response_freq
    assert freq.loc["q4", 2.25] == pytest.approx(1 / 400)
    assert freq.loc["q1", 2.25] == 0
    assert freq.loc["q4", 2] == pytest.approx((data["q4"] == 2).sum() / 400)


def test_codes_outside_count_window_and_large_offsets():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(500, 1))
    x = np.rint(1e6 + 200 * (base + rng.normal(size=(500, 4))))
    x[:50, 0] = 1e6 + 5000  # far outside the first chunk's window
    res = alpha(x)
    raw, _, _ = reference_alpha(x)
    assert res.alpha == pytest.approx(raw, abs=1e-10)
    assert res.response_freq is None
    with pytest.raises(DataError, match=r"outside the declared range"):
        alpha(x, min=0, max=1e6 + 1000)


# --- bootstrap and jackknife -------------------------------------------------------------


def explicit(x: np.ndarray, rows: np.ndarray, nan_policy: str) -> float:
    return alpha(x[rows], warn_negative=False, nan_policy=nan_policy).alpha


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
def test_bootstrap_equals_explicit_resamples(nan_policy):
    data = read("likert_missing.csv").to_numpy()
    data[:, [2, 6]] = 6 - data[:, [2, 6]]
    res = alpha(data, ci="bootstrap", n_boot=40, seed=11, nan_policy=nan_policy)
    used = data if nan_policy == "pairwise" else data[~np.isnan(data).any(axis=1)]
    draws = np.random.default_rng(11).integers(0, used.shape[0], size=(40, used.shape[0]))
    expected = [explicit(used, draws[b], nan_policy) for b in range(6)]
    np.testing.assert_allclose(res.boot[:6], expected, atol=1e-12)
    assert res.boot.shape == (40,)


def test_bootstrap_complete_and_reproducible():
    data = read("likert_complete.csv")
    first = alpha(data, reverse="q2", ci="bootstrap", n_boot=300, seed=5)
    again = alpha(data, reverse="q2", ci="bootstrap", n_boot=300, seed=5)
    np.testing.assert_array_equal(first.boot, again.boot)
    draws = np.random.default_rng(5).integers(0, 400, size=(300, 400))
    flipped = data.to_numpy().copy()
    flipped[:, 1] = 5 - flipped[:, 1]
    expected = [explicit(flipped, draws[b], "pairwise") for b in range(4)]
    np.testing.assert_allclose(first.boot[:4], expected, atol=1e-12)
    lo, hi = np.quantile(first.boot, [0.025, 0.975])
    assert first.ci == pytest.approx((lo, hi))
    assert lo < first.alpha < hi


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
def test_jackknife_equals_leave_one_out(nan_policy):
    data = read("likert_missing.csv").to_numpy()
    used = data if nan_policy == "pairwise" else data[~np.isnan(data).any(axis=1)]
    z = used - np.nanmean(used, axis=0)
    jack = _alpha_boot.jackknife_alphas(z, pairwise=nan_policy == "pairwise")
    incomplete = np.flatnonzero(np.isnan(used).any(axis=1))[:3]
    rows = [*incomplete.tolist(), 1, 2, used.shape[0] - 1]
    for row in rows:
        keep = np.delete(np.arange(used.shape[0]), row)
        assert jack[row] == pytest.approx(explicit(used, keep, nan_policy), abs=1e-12)


def test_bca_interval():
    data = read("likert_missing.csv")
    res = alpha(data, reverse=["i3", "i7"], ci="bca", n_boot=500, seed=2)
    assert res.ci_method == "bca" and res.boot.shape == (500,)
    assert res.ci[0] < res.alpha < res.ci[1]
    feldt = run("missing_pairwise").ci
    assert abs(res.ci[0] - feldt[0]) < 0.03 and abs(res.ci[1] - feldt[1]) < 0.03
    # with no skew and no bias BCa reduces to the percentile interval
    boot = np.linspace(0.6, 0.8, 1001)
    jack = np.linspace(-1, 1, 51)
    assert _alpha_boot.bca_ci(boot, 0.7, jack, 0.9) == pytest.approx(
        _alpha_boot.percentile_ci(boot, 0.9), abs=1e-3
    )


# --- bad input ---------------------------------------------------------------------------


def test_zero_variance_item_is_an_error():
    data = read("likert_complete.csv").assign(q3=3.0)
    with pytest.raises(DataError, match=r"'q3' has zero variance: all 400 answered rows are 3"):
        alpha(data)
    data = data.assign(q3=0.1, q5=data["q5"].where(data.index > 3))
    with pytest.raises(DataError, match=r"'q3' has zero variance: all 400 answered rows are 0.1"):
        alpha(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(q1=d["q1"].astype(object).where(d.index != 4, "x")), "numeric"),
        (lambda d: d.assign(q1=d["q1"].where(d.index != 9, np.inf)), "finite.*'q1'.*rows \\[9\\]"),
        (lambda d: d.assign(q1=d["q1"].where(d.index != 3, 7.0)), "declared range.*'q1'"),
        (lambda d: d[["q1"]], "at least 2 items"),
        (lambda d: d.iloc[:1], "at least 2 respondents"),
    ],
)
def test_bad_data(change, message):
    data = change(read("likert_complete.csv"))
    with pytest.raises(DataError, match=message):
        alpha(data, min=1, max=5)


def test_items_without_common_rows():
    x = np.array([[1, np.nan], [2, np.nan], [3, 1], [np.nan, 2], [np.nan, 3.0]])
    with pytest.raises(DataError, match="share 1 rows"):
        alpha(x)
    with pytest.raises(DataError, match="listwise deletion leaves 1 complete rows of 5"):
        alpha(x, nan_policy="listwise")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reverse": ["nope"]}, "unknown items \\['nope'\\]"),
        ({"reverse": ["q1", "q1"]}, "more than once"),
        ({"reverse": [9]}, "unknown items \\[9\\]"),
        ({"min": 1}, "both min and max"),
        ({"min": 5, "max": 1}, "min must be below max"),
        ({"ci": "wald"}, "ci must be one of"),
        ({"nan_policy": "drop"}, "nan_policy"),
        ({"psych_version": "1.0"}, "psych_version"),
        ({"level": 1.5}, "level"),
        ({"ci": "bootstrap", "n_boot": 1}, "n_boot"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        alpha(read("likert_complete.csv"), **kwargs)


# --- invariants --------------------------------------------------------------------------

likert_arrays = hnp.arrays(
    np.float64,
    st.tuples(st.integers(8, 40), st.integers(2, 6)),
    elements=st.integers(1, 5).map(float),
)
quiet = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def usable(x: np.ndarray) -> bool:
    return bool((x.std(axis=0) > 0).all())


@quiet
@given(likert_arrays, st.integers(0, 5), st.floats(-50, 50).map(round))
def test_constant_shift_leaves_alpha(x, item, shift):
    assume(usable(x))
    item %= x.shape[1]
    shifted = x.copy()
    shifted[:, item] += shift
    a, b = (alpha(v, warn_negative=False) for v in (x, shifted))
    assert b.alpha == pytest.approx(a.alpha, abs=1e-9)
    assert b.std_alpha == pytest.approx(a.std_alpha, abs=1e-9)


@quiet
@given(likert_arrays, st.lists(st.floats(0.1, 20), min_size=6, max_size=6))
def test_rescaling_leaves_standardized_alpha(x, scales):
    assume(usable(x))
    scaled = x * np.array(scales[: x.shape[1]])
    a, b = (alpha(v, warn_negative=False) for v in (x, scaled))
    assert b.std_alpha == pytest.approx(a.std_alpha, abs=1e-9)
    assert b.g6 == pytest.approx(a.g6, abs=1e-9)


@quiet
@given(likert_arrays, st.integers(0, 5))
def test_reversing_twice_changes_nothing(x, item):
    assume(usable(x))
    item %= x.shape[1]
    flipped = x.copy()
    flipped[:, item] = 6 - flipped[:, item]
    a = alpha(x, warn_negative=False)
    b = alpha(flipped, reverse=[item], min=1, max=5, warn_negative=False)
    assert b.alpha == pytest.approx(a.alpha, abs=1e-9)
    np.testing.assert_allclose(b.items["mean"], a.items["mean"], atol=1e-9)
    np.testing.assert_allclose(b.items["r_drop"], a.items["r_drop"], atol=1e-9)


@quiet
@given(hnp.arrays(np.float64, st.integers(5, 30), elements=st.integers(1, 5).map(float)))
def test_identical_items_give_alpha_one(column):
    assume(column.std() > 0)
    for k in (2, 4):
        res = alpha(np.tile(column[:, None], (1, k)))
        assert res.alpha == pytest.approx(1.0, abs=1e-12)
        assert res.std_alpha == pytest.approx(1.0, abs=1e-12)


@quiet
@given(likert_arrays, st.floats(0, 0.3))
def test_input_is_not_mutated(x, share):
    x = x.copy()
    x[np.random.default_rng(0).random(x.shape) < share] = np.nan
    frame = pd.DataFrame(x, columns=[f"c{j}" for j in range(x.shape[1])])
    before_frame, before_array = frame.copy(), x.copy()
    try:
        alpha(frame, reverse=["c0"], warn_negative=False, ci="bca", n_boot=20, seed=0)
        alpha(x, reverse=[0], min=1, max=5, warn_negative=False)
    except DataError:
        pass
    pd.testing.assert_frame_equal(frame, before_frame)
    np.testing.assert_array_equal(x, before_array)
