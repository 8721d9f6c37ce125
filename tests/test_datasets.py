"""The bundled example data: reproducible from their script, and as their metadata says."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy import datasets
from efficacy.errors import DataError, InvalidResponseError

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_demo_data.py"
ITEMS = [f"gse{j}" for j in range(1, 11)]


def _script():
    spec = importlib.util.spec_from_file_location("make_demo_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_demo_data"] = module
    spec.loader.exec_module(module)
    return module


def _score_demo(demo: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.score(demo, "gse", on_invalid="missing")


def test_script_reproduces_the_bundled_files_byte_for_byte(tmp_path):
    _script().write(tmp_path)
    bundled = Path(str(datasets._resource("gse_demo", ".csv"))).parent
    for name in datasets.NAMES:
        for suffix in (".csv", ".json"):
            fresh = (tmp_path / f"{name}{suffix}").read_bytes()
            assert fresh == (bundled / f"{name}{suffix}").read_bytes(), f"{name}{suffix}"


def test_demo_shape_columns_and_covariates():
    demo = datasets.load_demo()
    assert list(demo.columns) == ["id", "country", "sex", "age", *ITEMS]
    assert len(demo) == 600
    assert demo["id"].is_unique
    assert set(demo["sex"]) == {"female", "male"}
    assert demo["age"].between(12, 80).all()
    gse = ef.load("gse")
    countries = {g.where["country"] for g in gse.norm("world2006_country").groups}
    assert set(demo["country"]) <= countries


def test_load_returns_a_fresh_frame_each_time():
    first = datasets.load_demo()
    first.loc[0, "age"] = -1
    assert datasets.load_demo().loc[0, "age"] != -1


def test_metadata_lists_the_invalid_cells_that_scoring_finds():
    demo = datasets.load_demo()
    meta = datasets.describe("gse_demo")
    with pytest.raises(InvalidResponseError) as caught:
        ef.score(demo, "gse")
    found = {
        (row + 1, column)
        for row, column in zip(caught.value.cells["row"], caught.value.cells["column"], strict=True)
    }
    planted = {(c["id"], c["column"]) for c in meta["special_cells"] if not c["valid"]}
    assert found == planted


def test_metadata_missing_cells_and_unscored_respondents():
    demo = datasets.load_demo()
    meta = datasets.describe("gse_demo")
    missing = {(c["id"], c["column"]) for c in meta["missing"]["cells"]}
    items = demo.set_index("id")[ITEMS]
    observed = {(int(i), c) for c in ITEMS for i in items.index[items[c].isna()]}
    assert observed == missing
    share = len(missing) / items.size
    assert 0.015 < share < 0.04
    scores = _score_demo(demo).set_index(demo["id"])
    not_scored = {r["id"] for r in meta["missing"]["respondents_not_scored"]}
    assert all(r["n_missing"] > 3 for r in meta["missing"]["respondents_not_scored"])
    assert set(scores.index[scores["gse"].isna()]) == not_scored


def test_valid_labels_typed_as_text_are_coded():
    demo = datasets.load_demo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coded = ef.item_responses(demo, "gse", on_invalid="missing")
    by_id = coded.set_index(demo["id"])
    expected = {"Exactly true": 4.0, " barely true": 2.0, "HARDLY TRUE": 2.0}
    for cell in datasets.describe("gse_demo")["special_cells"]:
        if cell["valid"]:
            assert by_id.loc[cell["id"], cell["column"]] == expected[cell["value"]]


def test_demo_scores_resemble_the_reference_data():
    scores = _score_demo(datasets.load_demo())["gse"]
    reference = ef.load("gse").norm("world2006").group()
    assert abs(scores.mean() - reference.mean) < 1.5
    assert abs(scores.std() - reference.sd) < 1.5


def test_prepost_improves_on_average_and_has_one_prorated_cell():
    data = datasets.load_prepost()
    assert data.shape == (40, 21)
    pre = ef.score(data, "gse", columns="pre_gse{n}")
    post = ef.score(data, "gse", columns="post_gse{n}")
    assert post["gse"].mean() > pre["gse"].mean()
    assert pre["gse"].notna().all()
    assert post["gse"].notna().all()
    assert (post["gse_n_valid"] == 9).sum() == 1
    meta = datasets.describe("gse_prepost")
    assert meta["simulated"] is True
    assert "change" in meta["model"]["theta_post"]


def test_grm_simulation_matches_its_category_probabilities():
    module = _script()
    rng = np.random.default_rng(1)
    theta = np.zeros(40_000)
    codes = module.simulate_grm(theta, rng)
    a, b = module.DISCRIMINATION[0], module.THRESHOLDS[0]
    at_least = 1 / (1 + np.exp(-a * (0.0 - b)))  # P(X >= 2), P(X >= 3), P(X >= 4)
    expected = -np.diff(np.concatenate([[1.0], at_least, [0.0]]))
    observed = np.bincount(codes[:, 0], minlength=5)[1:] / theta.size
    np.testing.assert_allclose(observed, expected, atol=0.01)


def test_unknown_name_is_a_data_error():
    with pytest.raises(DataError, match="no bundled data set 'nope'"):
        datasets.describe("nope")
