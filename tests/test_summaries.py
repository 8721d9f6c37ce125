"""Every result summarises itself: the key numbers, how they were made, what was left out."""

from __future__ import annotations

import pandas as pd

import efficacy as ef
from efficacy.results import Summary


def test_reliable_change_summary_says_which_sd_and_why():
    rc = ef.reliable_change([20.0, 25.0, None], [30.0, 26.0, 20.0], sd=5.3, reliability=0.86)
    text = str(rc.summary())
    assert "5.3 (given)" in text
    assert "0.86 (given)" in text
    # 1.96 * sqrt(2) * 5.3 * sqrt(1 - .86), by hand
    assert "5.497" in text
    assert "reference population" in text
    assert "1 person without both scores" in text
    html = rc._repr_html_()
    assert "5.3 (given)" in html and "<table>" in html


def test_clinical_significance_summary_explains_its_sd():
    res = ef.clinical_significance(
        [18.0, 19.0],
        [31.0, 24.0],
        clinical_mean=20.0,
        clinical_sd=5.0,
        functional_mean=29.59,
        functional_sd=5.29,
        reliability=0.86,
    )
    text = str(res.summary())
    assert "clinical (pre-treatment) population's SD" in text
    # cutoff c = (5.29*20 + 5*29.59) / (5 + 5.29), by hand
    assert f"{(5.29 * 20 + 5 * 29.59) / 10.29:.4g}" in text
    assert "recovered" in text


def test_norm_comparison_summary_shows_the_table_and_the_kind():
    scores = pd.DataFrame({"gse": [25.0, 31.0, 28.0, 35.0, 22.0]})
    summary = ef.compare_to_norm(scores, "gse", "world2006").summary()
    assert isinstance(summary, Summary)
    assert summary.table is not None and summary.table["n"].iloc[0] == 5
    assert "reference data" in str(summary)


def test_the_default_summary_lists_the_scalar_fields():
    # every result of the package now has its own summary; the default is the base's
    from dataclasses import dataclass

    from efficacy.results import Result

    @dataclass(frozen=True, repr=False)
    class KR20Result(Result):
        kr20: float
        p: pd.Series

        def to_frame(self) -> pd.DataFrame:
            return pd.DataFrame({"kr20": [self.kr20]})

    res = KR20Result(0.5, pd.Series([0.5, 0.75]))
    text = str(res.summary())
    assert text.splitlines()[0] == "KR20Result"
    assert "kr20" in text
