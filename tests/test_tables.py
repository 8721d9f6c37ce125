"""APA-style tables: number formatting, the three formats and the table builders."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import efficacy as ef
from efficacy import datasets, tables
from efficacy.errors import DataError
from efficacy.output.tables import (
    ApaTable,
    apa_table,
    descriptives_table,
    format_number,
    format_p,
    item_table,
    norm_comparison_table,
    reliability_table,
)


@pytest.fixture(scope="module")
def demo_items() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.item_responses(datasets.load_demo(), "gse", on_invalid="missing")


@pytest.fixture(scope="module")
def demo_alpha(demo_items):
    return ef.alpha(demo_items)


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("value", "bounded", "expected"),
    [
        (0.8724, True, ".87"),
        (0.8724, False, "0.87"),
        (-0.125, True, "-.12"),  # round half to even on the binary value 0.125
        (-0.0449, True, "-.04"),
        (1.0, True, "1.00"),
        (29.4627, False, "29.46"),
        (19120, False, "19,120"),
        (np.int64(596), False, "596"),
        (12345.678, False, "12,345.68"),
        (float("nan"), False, "—"),
        (None, True, "—"),
        (pd.NA, False, "—"),
    ],
)
def test_format_number(value, bounded, expected):
    assert format_number(value, 2, bounded=bounded) == expected


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.0342, ".034"), (0.001, ".001"), (0.000999, "< .001"), (0.0, "< .001"), (0.5, ".500")],
)
def test_format_p(p, expected):
    assert format_p(p) == expected


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(min_value=-1, max_value=1, allow_nan=False),
    digits=st.integers(min_value=1, max_value=4),
)
def test_bounded_numbers_have_no_leading_zero_and_round_to_the_value(value, digits):
    text = format_number(value, digits, bounded=True)
    assert not text.startswith(("0", "-0"))
    assert abs(float(text) - value) <= 0.5 * 10**-digits + 1e-12


@settings(max_examples=60, deadline=None)
@given(p=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_p_values_are_apa_style(p):
    text = format_p(p)
    if p < 0.001:
        assert text == "< .001"
    else:
        assert text.startswith((".", "1.")) or text == "1.000"
        assert abs(float(text) - p) <= 0.0005 + 1e-12


# ------------------------------------------------------------------ apa_table


@pytest.fixture
def small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"n": [596, 4], "mean": [29.4627, -1.5], "r": [0.5123, -0.0312], "p": [0.0342, 2e-7]},
        index=pd.Index(["GSE", "Other_scale"], name="Scale"),
    )


def test_markdown_layout(small_frame):
    text = apa_table(small_frame, title="A title", note="Simulated.", number=3)
    assert text.splitlines() == [
        "**Table 3**",
        "",
        "*A title*",
        "",
        "| Scale | *n* | *M* | *r* | *p* |",
        "|:--|--:|--:|--:|--:|",
        "| GSE | 596 | 29.46 | .51 | .034 |",
        "| Other_scale | 4 | -1.50 | -.03 | < .001 |",
        "",
        "*Note.* Simulated.",
    ]


def test_html_italic_symbols_minus_signs_and_escaping(small_frame):
    frame = small_frame.rename(index={"GSE": "<GSE & co>"})
    text = apa_table(frame, title="Title *x*", fmt="html", number=1)
    assert "<strong>Table 1</strong>" in text
    assert "<em>Title <em>x</em></em>" in text
    assert "<em>M</em>" in text
    assert "<em>p</em>" in text
    assert "&lt;GSE &amp; co&gt;" in text
    assert "&minus;1.50" in text
    assert "&minus;.03" in text
    assert "&lt; .001" in text
    assert "Other_scale" in text  # underscores left alone in HTML


def test_latex_booktabs_escaping_and_minus(small_frame):
    text = apa_table(small_frame, title="50% of α_k", fmt="latex", note="A & B")
    lines = text.splitlines()
    assert lines[0] == r"\begin{table}[htbp]"
    assert r"\caption{50\% of $\alpha$\_k}" in lines
    assert r"Scale & \textit{n} & \textit{M} & \textit{r} & \textit{p} \\" in lines
    assert r"Other\_scale & 4 & $-$1.50 & $-$.03 & < .001 \\" in lines
    assert r"{\small \textit{Note.} A \& B}" in lines
    assert [line for line in lines if line.startswith(("\\toprule", "\\midrule", "\\bottom"))] == [
        r"\toprule",
        r"\midrule",
        r"\bottomrule",
    ]


def test_range_index_is_not_shown_and_intervals_are_written_in_brackets():
    frame = pd.DataFrame({"alpha": [0.8765], "ci": [(0.8612, 0.89071)]})
    text = apa_table(frame, title="t", bounded=["alpha", "ci"])
    assert text.splitlines()[-1] == "| .88 | [.86, .89] |"


def test_digits_per_column_and_explicit_bounded():
    frame = pd.DataFrame({"a": [0.12345], "b": [0.12345]})
    text = apa_table(frame, title="t", digits={"a": 3}, bounded=["b"], symbols=False)
    assert text.splitlines()[-1] == "| 0.123 | .12 |"


def test_table_does_not_round_or_change_the_frame(small_frame):
    before = small_frame.copy()
    table = ApaTable(frame=small_frame, title="t")
    table.render("html")
    pd.testing.assert_frame_equal(small_frame, before)
    assert table.to_frame().loc["GSE", "mean"] == 29.4627


def test_bad_format_and_bad_input():
    with pytest.raises(DataError, match="fmt must be one of"):
        apa_table(pd.DataFrame({"a": [1]}), title="t", fmt="docx")
    with pytest.raises(DataError, match="needs a DataFrame"):
        apa_table([1, 2], title="t")


def test_table_object_displays_in_notebooks(small_frame):
    table = ApaTable(frame=small_frame, title="t")
    assert table._repr_html_().startswith('<div class="apa-table">')
    assert str(table) == table.to_markdown() == table._repr_markdown_()


# ------------------------------------------------------------------ builders


def test_item_table_matches_the_alpha_result(demo_alpha):
    table = item_table(demo_alpha, instrument="gse", number=2)
    frame = table.to_frame()
    assert list(frame.index) == [f"gse{i}" for i in range(1, 11)]
    np.testing.assert_array_equal(frame["Item-rest *r*"], demo_alpha.items["r_drop"])
    np.testing.assert_array_equal(frame["α if deleted"], demo_alpha.items["alpha_if_deleted"])
    markdown = table.to_markdown()
    row = demo_alpha.items.loc["gse4"]
    expected_r = tables.strip_zero(f"{row['r_drop']:.2f}")
    assert f"| {expected_r} |" in markdown.splitlines()[9]
    assert "I am confident that I could deal efficiently" in markdown
    assert f"Overall α = {tables.strip_zero(f'{demo_alpha.alpha:.2f}')}." in markdown


def test_item_table_marks_reverse_keyed_items():
    inst = ef.load("rses")
    rng = np.random.default_rng(3)
    items = pd.DataFrame(
        rng.integers(1, 5, size=(50, inst.n_items)).astype(float), columns=list(inst.item_ids)
    )
    base = rng.integers(1, 5, size=50)
    items = items.add(base, axis=0).clip(1, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.alpha(items)
    table = item_table(res, instrument=inst)
    marked = [label for label in table.frame.index if label.endswith("(R)")]
    assert len(marked) == len(inst.reverse_items)
    assert "(R) = reverse-keyed" in table.note


def test_reliability_table_rows_and_note(demo_alpha):
    table = reliability_table({"gse": demo_alpha}, names={"gse": "GSE"}, number=1)
    frame = table.to_frame()
    assert frame.loc["GSE", "α"] == demo_alpha.alpha
    assert frame.loc["GSE", "95% CI"] == demo_alpha.ci
    lines = table.to_markdown().splitlines()
    lo, hi = (tables.strip_zero(f"{v:.2f}") for v in demo_alpha.ci)
    assert f"[{lo}, {hi}]" in lines[-3]
    assert "Feldt" in table.note


def test_reliability_table_accepts_a_single_result_and_omega(demo_alpha):
    class FakeOmega:
        omega_total = 0.9012

    table = reliability_table(demo_alpha, FakeOmega())
    assert table.frame["ω"].iloc[0] == 0.9012
    assert "| .90 |" in table.to_markdown()
    assert "omega total" in table.note


def test_reliability_table_rejects_other_objects():
    with pytest.raises(DataError, match=r"expected a result with \.alpha"):
        reliability_table(42)


def test_norm_comparison_table_from_a_frame():
    frame = pd.DataFrame(
        {
            "n": [120],
            "mean": [31.2],
            "sd": [4.8],
            "norm_mean": [29.59],
            "norm_sd": [5.29],
            "t": [-3.674],
            "df": [119.0],
            "p": [0.00036],
            "d": [-0.304],
            "d_ci_lower": [-0.49],
            "d_ci_upper": [-0.12],
        }
    )
    table = norm_comparison_table(frame)
    assert list(table.frame.columns) == [
        "*n*",
        "*M*",
        "*SD*",
        "Norm *M*",
        "Norm *SD*",
        "*t*",
        "*df*",
        "*p*",
        "*d*",
        "*d* 95% CI",
    ]
    html = table.to_html()
    assert "&minus;3.67" in html
    assert "<em>d</em> 95% CI" in html
    assert ">119<" in html
    assert "[&minus;0.49, &minus;0.12]" in html


def test_descriptives_table_by_group():
    scores = pd.DataFrame(
        {"gse": [30.0, 20.0, 25.0, 35.0, np.nan], "gse_n_valid": [10, 10, 9, 10, 2]}
    )
    sex = pd.Series(["f", "f", "m", "m", "m"], name="sex")
    frame = descriptives_table(scores, group=sex).to_frame()
    assert frame.loc["f", "mean"] == 25.0
    assert frame.loc["m", "n"] == 2
    assert frame.loc["m", "sd"] == pytest.approx(np.std([25.0, 35.0], ddof=1))
    with pytest.raises(DataError, match="lacks the columns"):
        descriptives_table(scores, columns=["nope"])


def test_reliability_table_from_efficacy_reliability_with_omega_interval():
    data = datasets.load_prepost()
    rel = ef.reliability(data, "gse", columns="pre_gse{n}")
    items = ef.item_responses(data, "gse", columns="pre_gse{n}")
    omega = ef.omega(items, n_boot=30, seed=2)
    table = reliability_table(rel, {"gse": omega}, names={"gse": "GSE"})
    frame = table.to_frame()
    assert frame.loc["GSE", "α"] == rel["gse"].alpha.alpha
    assert frame.loc["GSE", "ω"] == omega.omega_total
    lower, upper = frame.loc["GSE", "ω 95% CI"]
    assert lower == omega.ci.loc["omega_total", "lower"]
    assert upper == omega.ci.loc["omega_total", "upper"]
    assert frame.loc["GSE", "Published α"] == ".76–.90"  # GSE publishes the range .76-.90
    assert "bootstrap interval" in table.note
    # without omega given, the omega computed by reliability() is used
    own = reliability_table(rel).to_frame()
    assert own.loc["gse", "ω"] == rel["gse"].omega.omega_total
    assert "ω 95% CI" not in own.columns


def test_item_descriptives_match_psych_describe():
    # R psych 2.2.9: describe(data.frame(a=c(1,2,4,4,NA), b=c(1,1,2,3,4)))
    #   a: n 4, mean 2.75, sd 1.50000, skew -0.138889, kurtosis -2.280093
    #   b: n 5, mean 2.20, sd 1.30384, skew  0.259866, kurtosis -1.958062
    from efficacy.output.tables import item_descriptives

    items = pd.DataFrame({"a": [1, 2, 4, 4, None], "b": [1, 1, 2, 3, 4]})
    out = item_descriptives(items, 1, 4)
    assert out["n"].tolist() == [4, 5]
    np.testing.assert_allclose(out["sd"], [1.5, 1.30384], atol=1e-5)
    np.testing.assert_allclose(out["skew"], [-0.138889, 0.259866], atol=1e-6)
    np.testing.assert_allclose(out["kurtosis"], [-2.280093, -1.958062], atol=1e-6)
    # floor/ceiling among answers, missing among all five respondents
    assert out.loc["a", ["floor_pct", "ceiling_pct", "missing_pct"]].tolist() == [25.0, 50.0, 20.0]
