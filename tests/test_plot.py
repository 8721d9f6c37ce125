"""Figures: each function returns one Figure whose drawn values match the data."""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy import datasets
from efficacy import plot as efplot
from efficacy.errors import DataError

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def demo():
    return datasets.load_demo()


@pytest.fixture(scope="module")
def demo_scores(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.score(demo, "gse", on_invalid="missing")


@pytest.fixture(scope="module")
def prepost_change():
    data = datasets.load_prepost()
    pre = ef.score(data, "gse", columns="pre_gse{n}")
    post = ef.score(data, "gse", columns="post_gse{n}")
    return ef.reliable_change(pre, post, sd=5.29, reliability=0.86)


def test_score_distribution_histogram_counts_every_score(demo_scores):
    fig = efplot.score_distribution(demo_scores, "gse")
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    assert sum(heights) == demo_scores["gse"].notna().sum()
    assert ax.get_xlim() == (9.5, 40.5)  # one bar per possible sum score, 10-40


def test_score_distribution_norm_curve_is_the_scaled_normal_density(demo_scores):
    fig = efplot.score_distribution(demo_scores, "gse", norm="world2006")
    ax = fig.axes[0]
    (curve,) = ax.get_lines()[:1]
    x, y = curve.get_data()
    assert x[np.argmax(y)] == pytest.approx(29.59, abs=0.1)
    n = demo_scores["gse"].notna().sum()
    expected_peak = n * 1.0 / (5.29 * math.sqrt(2 * math.pi))  # bins are 1 score wide
    assert y.max() == pytest.approx(expected_peak, rel=1e-3)
    assert "M = 29.59, SD = 5.29" in curve.get_label()


def test_score_distribution_draws_one_curve_per_group_and_a_line_without_sd(demo_scores):
    fig = efplot.score_distribution(demo_scores, "gse", norm="world2006_sex")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert sum("sex=male" in label for label in labels) == 1
    assert sum("sex=female" in label for label in labels) == 1
    fig = efplot.score_distribution(demo_scores, "gse", norm="scholz2002", max_groups=2)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "first 2 of 6 norm groups shown" in texts


def test_score_distribution_in_the_mean_metric_converts_the_norm(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        means = ef.score(demo, "gse", on_invalid="missing", method="mean")
    fig = efplot.score_distribution(means, "gse", norm="world2006", bins=12)
    x, y = fig.axes[0].get_lines()[0].get_data()
    assert x[np.argmax(y)] == pytest.approx(2.959, abs=0.02)
    assert fig.axes[0].get_xlabel() == "GSE mean score"


def test_score_distribution_errors(demo_scores):
    with pytest.raises(DataError, match="lacks the column 'gse'"):
        efplot.score_distribution(demo_scores.rename(columns={"gse": "x"}), "gse")
    with pytest.raises(DataError, match="no norm table 'nope'"):
        efplot.score_distribution(demo_scores, "gse", norm="nope")


def test_item_responses_bars_are_shares_centred_on_the_midpoint(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = efplot.item_responses(demo, "gse", on_invalid="missing", wording=False)
    ax = fig.axes[0]
    bars = ax.patches
    n_items, k = 10, 4
    assert len(bars) == n_items * k
    widths = np.array([b.get_width() for b in bars]).reshape(k, n_items)
    lefts = np.array([b.get_x() for b in bars]).reshape(k, n_items)
    np.testing.assert_allclose(widths.sum(axis=0), 100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coded = ef.item_responses(demo, "gse", on_invalid="missing", reverse=False)
    share_low = (coded <= 2).sum() / coded.notna().sum() * 100
    # categories 1 and 2 lie left of zero, 3 and 4 right of it
    np.testing.assert_allclose(-lefts[0], share_low.to_numpy())
    np.testing.assert_allclose(lefts[2], 0.0, atol=1e-12)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Not at all true", "Hardly true", "Moderately true", "Exactly true"]


def test_item_responses_odd_scale_splits_the_middle_category():
    inst = ef.load("ngse")
    codes = inst.response.codes
    assert len(codes) % 2 == 1
    data = pd.DataFrame({item: [codes[len(codes) // 2]] * 3 for item in inst.item_ids})
    fig = efplot.item_responses(data, inst, wording=False)
    middle = [b for b in fig.axes[0].patches if b.get_width() > 0]
    assert all(b.get_x() == pytest.approx(-50.0) for b in middle)


def test_item_responses_uses_the_wording(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = efplot.item_responses(demo, "gse", on_invalid="missing")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("gse1. I can always manage")


def test_item_rest_colours_items_below_the_threshold():
    r = pd.Series([0.62, 0.18, -0.2], index=["a", "b", "c"])
    fig = efplot.item_rest(r, threshold=0.3)
    ax = fig.axes[0]
    points = ax.collections[-1]
    np.testing.assert_allclose(points.get_offsets()[:, 0], r.to_numpy())
    colours = points.get_facecolors()
    assert not np.allclose(colours[0], colours[1])
    np.testing.assert_allclose(colours[1], colours[2])


def test_item_rest_from_an_alpha_result(demo):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ef.alpha(ef.item_responses(demo, "gse", on_invalid="missing"))
    fig = efplot.item_rest(res)
    assert fig.axes[0].get_title(loc="left").startswith("Item-rest correlations (α = .")


def test_reliable_change_band_is_the_jacobson_truax_threshold(prepost_change):
    fig = efplot.reliable_change(prepost_change)
    ax = fig.axes[0]
    band = ax.collections[0]
    vertices = band.get_paths()[0].vertices
    low, _ = ax.get_xlim()
    s_diff = 5.29 * math.sqrt(2 * (1 - 0.86))
    threshold = 1.959963984540054 * s_diff
    assert prepost_change.threshold == pytest.approx(threshold)
    at_low = vertices[np.isclose(vertices[:, 0], low)][:, 1]
    np.testing.assert_allclose(sorted(set(np.round(at_low, 9))), [low - threshold, low + threshold])
    counted = sum(int(c.get_label().rsplit("(", 1)[1].rstrip(")")) for c in ax.collections[1:])
    assert counted == 40


def test_reliable_change_rejects_other_objects():
    with pytest.raises(DataError, match="expected a ReliableChange"):
        efplot.reliable_change(pd.Series([1.0]))


def test_figures_are_not_registered_with_pyplot_and_save_as_svg(demo_scores):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = efplot.score_distribution(demo_scores, "gse", norm="world2006")
    assert plt.get_fignums() == before
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    assert buffer.getvalue().lstrip().startswith("<?xml")


def test_figures_display_in_notebooks_as_png(demo_scores):
    fig = efplot.score_distribution(demo_scores, "gse")
    assert fig._repr_png_().startswith(b"\x89PNG")


def test_plot_is_a_public_module():
    assert ef.plot is efplot


def test_clinical_significance_points_are_coloured_by_the_clinical_categories():
    res = ef.clinical_significance(
        [18.0, 19.0, 10.0],
        [31.0, 24.0, 20.0],
        clinical_mean=20.0,
        clinical_sd=5.0,
        functional_mean=29.59,
        functional_sd=5.29,
        reliability=0.86,
    )
    fig = efplot.reliable_change(res)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "recovered (1)" in labels
    assert "improved (1)" in labels
    assert not any(label.startswith("reliably improved") for label in labels)


def test_small_samples_get_whole_respondent_ticks():
    fig = efplot.score_distribution(pd.Series([20.0, 25.0, 30.0]), "gse")
    ticks = fig.axes[0].get_yticks()
    assert all(float(t).is_integer() for t in ticks)


def test_correlation_heatmap_labels_the_cells_apa_style():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4], "c": [4, 3, 2, 1]})
    fig = efplot.correlation_heatmap(items)
    texts = [t.get_text() for t in fig.axes[0].texts]
    # r(a, b) = .80 by hand: deviations (-1.5,-.5,.5,1.5) and (-1.5,.5,-.5,1.5) give 4/5
    assert texts[:3] == ["1.00", ".80", "-1.00"]
    with pytest.raises(DataError):
        efplot.correlation_heatmap(items[["a"]])


def test_norm_comparison_figure_draws_the_sample_interval():
    scores = pd.DataFrame({"gse": [25.0, 31.0, 28.0, 35.0, 22.0]})
    comparison = ef.compare_to_norm(scores, "gse", "world2006")
    fig = efplot.norm_comparison(comparison)
    segments = fig.axes[0].collections[0].get_segments()
    lower, upper = segments[0][0][0], segments[0][1][0]
    row = comparison.table.iloc[0]
    assert lower == pytest.approx(row["diff_ci_lower"] + row["norm_mean"])
    assert upper == pytest.approx(row["diff_ci_upper"] + row["norm_mean"])
