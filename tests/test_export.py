"""Exporting instruments and scores: REDCap data dictionaries and BIDS phenotype files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.errors import DataError
from efficacy.io._export import scores_to_bids, to_bids_sidecar, to_redcap_dictionary
from efficacy.io._files import match_items_by_text

#: The header row of the data dictionary CSV as REDCap writes and reads it.
REDCAP_HEADER = (
    '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
    '"Choices, Calculations, OR Slider Labels","Field Note",'
    '"Text Validation Type OR Show Slider Number","Text Validation Min","Text Validation Max",'
    '"Identifier?","Branching Logic (Show field only if...)","Required Field?",'
    '"Custom Alignment","Question Number (surveys only)","Matrix Group Name",'
    '"Matrix Ranking?","Field Annotation"'
)


def test_redcap_dictionary_has_redcaps_eighteen_columns() -> None:
    table = to_redcap_dictionary("gse")
    expected = pd.read_csv(pd.io.common.StringIO(REDCAP_HEADER + "\n")).columns.tolist()
    assert len(expected) == 18
    assert table.columns.tolist() == expected


def test_redcap_dictionary_rows() -> None:
    gse = ef.load("gse")
    table = to_redcap_dictionary(gse)
    assert table.shape == (11, 18)
    first = table.iloc[0]
    assert first[["Variable / Field Name", "Form Name", "Field Type", "Field Label"]].tolist() == [
        "record_id",
        "gse",
        "text",
        "Record ID",
    ]
    items = table.iloc[1:]
    assert items["Variable / Field Name"].tolist() == list(gse.item_ids)
    assert items["Field Label"].tolist() == [item.text for item in gse.items]
    assert set(items["Field Type"]) == {"radio"}
    assert set(items["Matrix Group Name"]) == {"gse"}
    assert set(items["Choices, Calculations, OR Slider Labels"]) == {
        "1, Not at all true | 2, Hardly true | 3, Moderately true | 4, Exactly true"
    }
    assert table.map(lambda cell: isinstance(cell, str)).all().all()  # text, no NaN


def test_redcap_dictionary_reverse_keying_and_unlabelled_codes() -> None:
    rses = to_redcap_dictionary("rses", record_id=None)
    reversed_items = ef.load("rses").reverse_items
    notes = rses.set_index("Variable / Field Name")["Field Annotation"]
    assert all(
        notes[item] == "Reverse keyed: scored as 3 minus the answer" for item in reversed_items
    )
    assert (notes.drop(list(reversed_items)) == "").all()
    semcd = to_redcap_dictionary("semcd6", record_id=None, matrix=False)
    choices = semcd["Choices, Calculations, OR Slider Labels"].iloc[0]
    assert choices.startswith("1, Not at all confident | 2, 2 | 3, 3")
    assert choices.endswith("9, 9 | 10, Totally confident")
    assert set(semcd["Matrix Group Name"]) == {""}


def test_redcap_names_are_checked() -> None:
    with pytest.raises(DataError, match="'T1_gse1' cannot be a REDCap name"):
        to_redcap_dictionary("gse", prefix="T1_")
    with pytest.raises(DataError, match="form name 'my form'"):
        to_redcap_dictionary("gse", form="my form")


def test_exported_dictionary_reads_back_as_the_instruments_labels(tmp_path: Path) -> None:
    gse = ef.load("gse")
    dictionary = tmp_path / "dictionary.csv"
    to_redcap_dictionary(gse).to_csv(dictionary, index=False)
    assert dictionary.read_text().splitlines()[0].replace('"', "") == REDCAP_HEADER.replace('"', "")
    export = tmp_path / "export.csv"
    export.write_text("record_id," + ",".join(gse.item_ids) + "\n1," + ",".join(["4"] * 10) + "\n")
    frame = ef.read(export, format="redcap", dictionary=dictionary)
    source = frame.attrs["efficacy_source"]
    assert source["value_labels"]["gse3"] == {int(c): t for c, t in gse.response.labels.items()}
    assert match_items_by_text(frame, gse) == {item: item for item in gse.item_ids}
    assert ef.score(frame, gse)["gse"].tolist() == [40.0]


def test_bids_sidecar() -> None:
    sidecar = to_bids_sidecar("gse", columns="gse_{n:02d}")
    assert list(sidecar)[:3] == ["MeasurementToolMetadata", "gse_01", "gse_02"]
    tool = sidecar["MeasurementToolMetadata"]
    assert tool["Description"].startswith("General Self-Efficacy Scale (GSE), version 1995")
    assert "TermURL" not in tool
    assert sidecar["gse_01"]["Description"] == ef.load("gse").items[0].text
    assert sidecar["gse_10"]["Levels"]["4"] == "Exactly true"
    json.dumps(sidecar)  # plain JSON
    url = "https://www.cognitiveatlas.org/concept/id/trm_x"
    assert to_bids_sidecar("gse", term_url=url)["MeasurementToolMetadata"]["TermURL"] == url


def test_bids_sidecar_notes_reverse_keying() -> None:
    rses = ef.load("rses")
    sidecar = to_bids_sidecar(rses, columns={item: item.upper() for item in rses.item_ids})
    item = rses.reverse_items[0]
    assert sidecar[item.upper()]["Description"].endswith(
        "(reverse keyed: scored as 3 minus the answer)"
    )
    assert sidecar[item.upper()]["Levels"] == {
        "0": "Strongly disagree",
        "1": "Disagree",
        "2": "Agree",
        "3": "Strongly agree",
    }


@pytest.fixture
def scores() -> pd.DataFrame:
    data = pd.DataFrame({f"gse{i}": [4, 3, None] for i in range(1, 11)}, index=["01", "02", "03"])
    data.loc["01", "gse1"] = None
    return ef.score(data, "gse")


def test_scores_to_bids(scores: pd.DataFrame, tmp_path: Path) -> None:
    table, sidecar = scores_to_bids(scores, "gse")
    assert table.columns.tolist() == ["participant_id", "gse", "gse_n_valid"]
    assert table["participant_id"].tolist() == ["sub-01", "sub-02", "sub-03"]
    np.testing.assert_array_equal(table["gse"], [40.0, 30.0, np.nan])
    assert sidecar["gse"]["Derivative"] is True
    assert sidecar["gse_n_valid"]["Derivative"] is True
    assert "Derivative" not in sidecar["participant_id"]
    assert "sum of the 10 items gse1, gse2" in sidecar["gse"]["Description"]
    assert set(sidecar) == {"MeasurementToolMetadata", "participant_id", "gse", "gse_n_valid"}
    path = ef.write(table, tmp_path / "gse.tsv", na_rep="n/a")
    assert path.read_text().splitlines() == [
        "participant_id\tgse\tgse_n_valid",
        "sub-01\t40.0\t9",
        "sub-02\t30.0\t10",
        "sub-03\tn/a\t0",
    ]


def test_scores_to_bids_method_follows_the_scores() -> None:
    data = pd.DataFrame({f"gse{i}": [4, 2] for i in range(1, 11)})
    _, sidecar = scores_to_bids(ef.score(data, "gse", method="mean"), "gse", ["a1", "sub-b2"])
    assert sidecar["gse"]["Description"].startswith("General self-efficacy: mean of the 10")
    assert "(range 1-4)" in sidecar["gse"]["Description"]


def test_scores_to_bids_participant_ids(scores: pd.DataFrame) -> None:
    with_ids = scores.assign(pid=["sub-A", "B", "C"])
    table, _ = scores_to_bids(with_ids, "gse", participant_id="pid")
    assert table["participant_id"].tolist() == ["sub-A", "sub-B", "sub-C"]
    with pytest.raises(DataError, match=r"not BIDS labels .*\['p_1'\]"):
        scores_to_bids(scores, "gse", ["p_1", "2", "3"])
    with pytest.raises(DataError, match=r"repeat: \['1'\]"):
        scores_to_bids(scores, "gse", ["1", "sub-1", "3"])
    with pytest.raises(DataError, match="2 labels for 3 rows"):
        scores_to_bids(scores, "gse", ["1", "2"])
    with pytest.raises(DataError, match="'pid' is not a column"):
        scores_to_bids(scores, "gse", participant_id="pid")


def test_scores_to_bids_checks_the_instrument(scores: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="come from 'gse', not 'rses'"):
        scores_to_bids(scores, "rses")
    with pytest.raises(DataError, match="no score column of gse"):
        scores_to_bids(pd.DataFrame({"x": [1]}), "gse")
