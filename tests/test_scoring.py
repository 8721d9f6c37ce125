"""The scoring engine: hand-computed scores, the authors' rules, bad input, provenance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.scoring import InvalidResponseWarning

GSE_ITEMS = [f"gse{i}" for i in range(1, 11)]


def gse_frame(rows: list[list[object]], columns: list[str] = GSE_ITEMS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------- hand calculations


def test_gse_sum_mean_and_prorating_by_hand():
    rows = [
        [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],  # 40
        [1, 2, 3, 4, 1, 2, 3, 4, 1, 2],  # 23
        [3, 3, 3, None, 2, 2, 2, 4, 4, 4],  # 9 answered, sum 27, mean 3 -> 30
        [1, 1, 1, None, None, None, 2, 2, 2, 2],  # 7 answered: sum 11, mean 11/7 -> 110/7
        [1, 1, None, None, None, None, 2, 2, 2, 2],  # 6 answered: not scored
    ]
    scores = ef.score(gse_frame(rows), "gse")
    assert list(scores.columns) == ["gse", "gse_n_valid"]
    expected = [40.0, 23.0, 30.0, 110 / 7, np.nan]
    np.testing.assert_allclose(scores["gse"], expected, rtol=0, atol=1e-12)
    assert scores["gse_n_valid"].tolist() == [10, 10, 9, 7, 6]
    means = ef.score(gse_frame(rows), "gse", method="mean")["gse"]
    np.testing.assert_allclose(means, [4.0, 2.3, 3.0, 11 / 7, np.nan], atol=1e-12)


def test_labels_and_aliases_are_coded_case_and_space_insensitively():
    labels = [
        " Not at all TRUE",
        "hardly   true",
        "Barely true",
        "moderately true",
        "Exactly true",
        "1",
        "2",
        "3",
        "4",
        "4",
    ]
    scores = ef.score(gse_frame([labels]), "gse")
    # 1 + 2 + 2 + 3 + 4 + 1 + 2 + 3 + 4 + 4 = 26
    assert scores.loc[0, "gse"] == 26.0


def test_column_templates_and_dicts_match_items():
    data = pd.DataFrame({f"self{n}": [n % 4 + 1] for n in range(1, 11)})
    by_template = ef.score(data, "gse", columns="self{n}")
    mapping = {f"gse{n}": f"self{n}" for n in range(1, 11)}
    by_dict = ef.score(data, "gse", columns=mapping)
    # items 1..10 -> codes 2,3,4,1,2,3,4,1,2,3: sum 25
    assert by_template.loc[0, "gse"] == by_dict.loc[0, "gse"] == 25.0


def test_result_keeps_the_callers_index():
    data = gse_frame([[4] * 10, [1] * 10])
    data.index = pd.Index(["p07", "p19"], name="person")
    scores = ef.score(data, "gse")
    assert scores.index.equals(data.index)


def test_reverse_keying_uses_the_declared_range(tmp_path):
    text = (ef.load("gse").path).read_text("utf-8")
    text = text.replace('{id: gse2, number: 2, keyed: "+"', '{id: gse2, number: 2, keyed: "-"')
    path = tmp_path / "gse_reversed.yaml"
    path.write_text(text, "utf-8")
    # every observed answer is 3 or 4, but gse2 = 4 reverses to 1 + 4 - 4 = 1, not 3 + 4 - 4
    data = gse_frame([[4, 4, 3, 3, 3, 3, 3, 3, 3, 3]])
    assert ef.score(data, path).loc[0, "gse"] == 4 + 1 + 3 * 8
    items = ef.item_responses(data, path)
    assert items.loc[0, "gse2"] == 1.0
    assert ef.item_responses(data, path, reverse=False).loc[0, "gse2"] == 4.0


def test_declared_missing_codes_become_missing(tmp_path):
    text = (
        ef.load("gse")
        .path.read_text("utf-8")
        .replace("  aliases:\n", "  missing_codes: [9, -99]\n  aliases:\n")
    )
    path = tmp_path / "gse_missing.yaml"
    path.write_text(text, "utf-8")
    data = gse_frame([[9, 4, 4, 4, 4, 4, 4, 4, 4, -99]])
    scores = ef.score(data, path)
    assert scores.loc[0, "gse_n_valid"] == 8
    assert scores.loc[0, "gse"] == 40.0
    with pytest.raises(ef.InvalidResponseError, match="outside the response range"):
        ef.score(data, "gse")


def test_blank_text_cells_are_missing():
    row = ["4", "", "  ", None, "4", "4", "4", "4", "4", "4"]
    scores = ef.score(gse_frame([row]), "gse")
    assert scores.loc[0, "gse_n_valid"] == 7 and scores.loc[0, "gse"] == 40.0


# --------------------------------------------------------------------- bad input


def test_invalid_cells_raise_naming_column_rows_and_values():
    data = gse_frame([[4] * 10 for _ in range(4)])
    data.index = ["a", "b", "c", "d"]
    data["gse3"] = [5, 2.333, 4, 0]
    data["gse7"] = ["Exactly true", "n/a?", "sometimes", 3]
    with pytest.raises(ef.InvalidResponseError) as caught:
        ef.score(data, "gse")
    message = str(caught.value)
    assert "5 invalid response cells for gse" in message
    assert (
        "outside the response range: column 'gse3': 2 cells, rows ['a', 'd'], values [5.0, 0.0]"
        in message
    )
    assert "column 'gse3': 1 cell, rows ['b'], values [2.333]" in message
    assert "column 'gse7': 2 cells, rows ['b', 'c'], values ['n/a?', 'sometimes']" in message
    cells = caught.value.cells
    assert len(cells) == 5
    assert set(cells["problem"]) == {
        "outside the response range",
        "not a response code (non-integer or off the response grid)",
        "unknown label or non-numeric text",
    }


def test_on_invalid_missing_scores_them_as_missing_and_reports_every_cell():
    data = gse_frame([[4] * 10, [4] * 10])
    data["gse1"] = [7, 4]
    with pytest.warns(InvalidResponseWarning, match="1 invalid response cells scored as missing"):
        scores = ef.score(data, "gse", on_invalid="missing")
    assert scores["gse_n_valid"].tolist() == [9, 10]
    report = scores.attrs["efficacy"]["invalid_cells"]
    assert report.to_dict("records") == [
        {
            "item": "gse1",
            "column": "gse1",
            "row": 0,
            "value": 7,
            "problem": "outside the response range",
        }
    ]


def test_missing_columns_are_listed_with_what_is_there():
    data = gse_frame([[4] * 9], columns=GSE_ITEMS[:9])
    with pytest.raises(ef.DataError, match=r"lacks 1 column: \['gse10'\]; it has \['gse1'"):
        ef.score(data, "gse")
    with pytest.raises(ef.DataError, match="lacks 10 columns"):
        ef.score(data, "gse", columns="q{n}")


def test_duplicate_columns_empty_frames_and_wrong_types_are_refused():
    data = pd.DataFrame([[4] * 11], columns=[*GSE_ITEMS, "gse3"])
    with pytest.raises(ef.DataError, match=r"duplicate columns: \['gse3'\]"):
        ef.score(data, "gse")
    with pytest.raises(ef.DataError, match="no rows"):
        ef.score(gse_frame([]), "gse")
    with pytest.raises(ef.DataError, match="must be a pandas DataFrame"):
        ef.score(np.ones((2, 10)), "gse")
    with pytest.raises(ef.DataError, match="looks inverted"):
        ef.score(gse_frame([[4] * 10]), "gse", columns={"q1": "gse1"})
    with pytest.raises(ef.DataError, match="needs"):
        ef.score(gse_frame([[4] * 10]), "gse", columns="gse")
    with pytest.raises(ef.DataError, match="on_invalid"):
        ef.score(gse_frame([[4] * 10]), "gse", on_invalid="ignore")


def test_boolean_columns_are_not_silently_read_as_codes():
    data = gse_frame([[4] * 10, [4] * 10])
    data["gse1"] = [True, False]
    with pytest.raises(ef.InvalidResponseError, match="gse1"):
        ef.score(data, "gse")


def test_the_callers_data_is_never_changed():
    data = gse_frame([[4, "Hardly true", 7, 1, 2, 3, 4, 1, 2, 3]] * 3)
    before = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidResponseWarning)
        ef.score(data, "gse", on_invalid="missing")
        ef.item_responses(data, "gse", on_invalid="missing")
    pd.testing.assert_frame_equal(data, before)


# --------------------------------------------------------------------- provenance


def test_scores_record_what_produced_them():
    scores = ef.score(gse_frame([[4] * 10]), "gse")
    meta = scores.attrs["efficacy"]
    gse = ef.load("gse")
    assert meta["instrument"] == "gse"
    assert meta["instrument_version"] == gse.version
    assert meta["instrument_sha256"] == gse.sha256 and len(gse.sha256) == 64
    assert meta["package_version"] == ef.__version__
    assert meta["methods"] == {"gse": "sum"}


def test_same_input_same_output():
    rng = np.random.default_rng(3)
    values = rng.integers(1, 5, size=(50, 10)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    data = pd.DataFrame(values, columns=GSE_ITEMS)
    pd.testing.assert_frame_equal(ef.score(data, "gse"), ef.score(data, "gse"))
