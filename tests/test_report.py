"""The HTML report: self-contained, complete, deterministic, and honest about bad cells."""

from __future__ import annotations

import base64
import html as html_lib
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy import datasets
from efficacy.errors import DataError, InvalidResponseError
from efficacy.output._report import Report, report

pytest.importorskip("matplotlib")
pytest.importorskip("jinja2")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return datasets.load_demo()


@pytest.fixture(scope="module")
def demo_report(demo) -> Report:
    return report(demo, "gse", norm="world2006", on_invalid="missing", n_boot=50, seed=3)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append(tag)
        if tag in ("img", "script", "iframe") and "src" in values:
            self.sources.append(values["src"])
        if tag == "link" and "href" in values:
            self.links.append(values["href"])
        if "id" in values:
            self.ids.append(values["id"])


def test_report_is_self_contained(demo_report):
    parser = _Collector()
    parser.feed(demo_report.html)
    assert parser.links == []
    assert "script" not in parser.tags
    # score distribution, item responses, item-rest, inter-item heat map, norm comparison
    assert len(parser.sources) == 5
    for source in parser.sources:
        assert source.startswith("data:image/png;base64,")
        png = base64.b64decode(source.split(",", 1)[1])
        assert png.startswith(b"\x89PNG")
    assert parser.ids == [
        "methods",
        "scores",
        "items",
        "reliability",
        "norms",
        "validity",
        "quality",
        "provenance",
        "sources",
    ]


def test_report_shows_the_numbers_of_the_analyses(demo, demo_report):
    html = demo_report.html
    rel = demo_report.reliability["gse"].alpha
    alpha_text = f"{rel.alpha:.2f}".lstrip("0")
    assert f'<td style="text-align:right;padding:0.2em 0.7em">{alpha_text}</td>' in html
    omega = demo_report.omega["gse"]
    assert omega.n_boot == 50
    assert omega.ci is not None
    comparison = demo_report.comparison.to_frame().loc["all"]
    assert f"{comparison['mean']:.2f}" in html
    assert "29.59" in html  # the norm mean of world2006
    scores = demo_report.scores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ef.score(demo, "gse", on_invalid="missing")
    pd.testing.assert_frame_equal(scores, expected)


def test_report_lists_invalid_cells_and_provenance(demo_report):
    html = demo_report.html
    info = demo_report.scores.attrs["efficacy"]
    assert info["instrument_sha256"] in html
    assert f"efficacy {ef.__version__}" in html
    assert "Invalid cells scored as missing" in html
    for value in (">'n/a?'<", ">5<", ">2.333<"):
        assert value in html
    assert "3 invalid response cells were scored as missing" in html
    assert "reference data" in html  # world2006 is reference data, said so


def test_report_is_deterministic(demo):
    small = demo.head(120)
    first = report(small, "gse", on_invalid="missing", n_boot=20, seed=1).html
    second = report(small, "gse", on_invalid="missing", n_boot=20, seed=1).html
    assert first == second


def test_invalid_cells_raise_by_default(demo):
    with pytest.raises(InvalidResponseError):
        report(demo, "gse", n_boot=0)


def test_unknown_norm_is_a_data_error(demo):
    with pytest.raises(DataError, match="no norm table 'nope'"):
        report(demo, "gse", norm="nope", on_invalid="missing")


def test_save_path_progress_and_no_norm(tmp_path, capsys, demo):
    target = tmp_path / "out.html"
    rep = report(demo.head(80), "gse", on_invalid="missing", n_boot=0, path=target, progress=True)
    captured = capsys.readouterr()
    assert "efficacy report" in captured.err  # the progress bar
    assert captured.out == ""
    assert rep.path == target
    assert target.read_text(encoding="utf-8") == rep.html
    other = rep.save(tmp_path / "again.html")
    assert other.read_text(encoding="utf-8") == rep.html
    with pytest.raises(DataError, match="no folder"):
        rep.save(tmp_path / "missing" / "x.html")
    assert rep.comparison is None
    assert "No norm table was chosen" in rep.html
    assert "world2006_country (reference data)" in rep.html


def test_grouped_norm_comparison(demo):
    rep = report(demo, "gse", norm="world2006_sex", group="sex", on_invalid="missing", n_boot=0)
    frame = rep.comparison.to_frame()
    assert set(frame.index) == {"sex=male", "sex=female"}
    assert "sex=female" in rep.html


def test_column_template_and_a_multi_scale_instrument():
    inst = ef.load("tses")
    rng = np.random.default_rng(5)
    trait = rng.normal(size=(60, 1))
    low, high = inst.response.min, inst.response.max
    latent = trait + rng.normal(size=(60, inst.n_items))
    codes = np.clip(np.rint((low + high) / 2 + 1.5 * latent), low, high)
    frame = pd.DataFrame(codes, columns=[f"q{item.number}" for item in inst.items])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = report(frame, inst, columns="q{n}", n_boot=0)
    assert len(re.findall(r"<h3>", rep.html)) >= len(inst.scales)
    for scale in inst.scales:
        assert scale.name in rep.html
    assert set(rep.reliability.scales) == set(inst.scale_ids)


def test_report_object_displays_in_notebooks(demo_report):
    shown = demo_report._repr_html_()
    # collapsed until clicked: the summary line first, the report inside
    assert shown.startswith("<details><summary>")
    assert "<iframe srcdoc=" in shown
    assert "n=600" in repr(demo_report)
    assert demo_report.to_frame().equals(demo_report.scores)


def test_public_name_is_the_function():
    assert ef.report is report


def test_tables_and_figures_rest_on_the_scored_sample(demo_report):
    scored = int(demo_report.scores["gse"].notna().sum())
    assert scored == 596  # 4 of the 600 demo respondents miss more than 3 items
    assert demo_report.reliability["gse"].alpha.n_obs == scored
    assert demo_report.omega["gse"].n_obs == scored


def test_methods_paragraph_carries_the_numbers_of_the_report(demo_report):
    text = demo_report.methods
    alpha = demo_report.reliability["gse"].alpha
    lower, upper = alpha.ci
    assert f"α = {alpha.alpha:.2f}".replace("0.", ".") in text
    assert f"[{lower:.2f}, {upper:.2f}]".replace("0.", ".") in text
    assert "(Feldt)" in text
    assert "50 replicates, seed 3" in text
    assert "Schwarzer & Jerusalem, 1995" in text
    assert "596 of the 600 respondents" in text
    assert "numpy " in text and "pandas " in text
    # jinja2 escapes ' as &#39;
    assert html_lib.escape(text, quote=False).replace("'", "&#39;") in demo_report.html
    assert any(r.startswith("Feldt, L. S. (1965)") for r in demo_report.references)
    assert any(r.startswith("Cronbach, L. J. (1951)") for r in demo_report.references)


def test_figures_and_tables_are_numbered(demo_report):
    numbers = [f.number for f in demo_report.figures]
    assert numbers == list(range(1, len(numbers) + 1))
    assert "<strong>Figure 1</strong>" in demo_report.html
    assert [t.number for t in demo_report.tables] == list(range(1, len(demo_report.tables) + 1))
    assert "@media print" in demo_report.html


def test_item_descriptives_and_software_versions_are_reported(demo_report):
    html = demo_report.html
    assert "Item descriptives" in html and "% ceiling" in html
    import numpy

    assert f"numpy {numpy.__version__}" in html


def test_report_to_word(demo_report, tmp_path):
    docx = pytest.importorskip("docx")
    path = demo_report.to_docx(tmp_path / "report.docx")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert demo_report.methods in text
    assert len(document.tables) == len(demo_report.tables)
    assert len(document.inline_shapes) == len(demo_report.figures)
    with pytest.raises(DataError):
        demo_report.to_docx(tmp_path / "report.html")


def test_svg_figures_on_request(demo):
    rep = report(demo, "gse", on_invalid="missing", n_boot=0, figure_format="svg")
    parser = _Collector()
    parser.feed(rep.html)
    assert parser.sources and all(
        s.startswith("data:image/svg+xml;base64,") for s in parser.sources
    )
    with pytest.raises(DataError):
        report(demo, "gse", on_invalid="missing", n_boot=0, figure_format="gif")


def test_grouped_norm_uses_the_data_columns_or_says_why_not(demo):
    rep = report(demo, "gse", norm="world2006_sex", on_invalid="missing", n_boot=0)
    assert rep.comparison.table.index.tolist() == ["sex=male", "sex=female"]
    assert "grouped by sex" in rep.html
    plain = report(demo, "gse", norm="world2006", on_invalid="missing", n_boot=0)
    assert "world2006_sex (by sex)" in plain.html


def test_a_saved_report_shows_as_a_link(demo_report, tmp_path):
    import dataclasses

    saved = dataclasses.replace(demo_report, path=demo_report.save(tmp_path / "r.html"))
    shown = saved._repr_html_()
    assert "<iframe" not in shown and "file://" in shown


def test_validity_section_shows_the_instruments_cfa(demo, demo_report):
    items = ef.item_responses(demo, "gse", on_invalid="missing", reverse=False)
    fit = ef.cfa(items, "gse", estimator="WLSMV")  # 4-point items: ordinal
    assert "Validity: the declared structure" in demo_report.html
    assert "WLSMV: the items are ordinal (4-point response scale)" in demo_report.html
    assert f"{fit.fit_measures['chisq_scaled']:.3f}" in demo_report.html


def test_data_quality_section_counts_the_screen(demo, demo_report):
    items = ef.item_responses(demo, "gse", on_invalid="missing", reverse=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flagged = int(ef.screen(items, "gse").flagged.sum())
    assert f"{flagged} of 600 respondents" in demo_report.html
    plain = report(demo, "gse", on_invalid="missing", n_boot=0, screen=False, validity=False)
    assert 'id="quality"' not in plain.html and 'id="validity"' not in plain.html
