"""efficacy cfa and efficacy invariance: the same numbers as ef.cfa and ef.invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficacy as ef
from efficacy.cli import main
from efficacy.scoring import InvalidResponseWarning
from efficacy.validation import ModelError


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.csv"
    ef.datasets.load_demo().to_csv(path, index=False)
    return path


def test_cfa_prints_the_summary_and_writes_the_parameter_table(demo_csv, tmp_path, capsys):
    out = tmp_path / "params.csv"
    args = ["cfa", "gse", str(demo_csv), "--estimator", "MLR", "--on-invalid", "missing"]
    assert main([*args, "--modindices", "3", "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Confirmatory factor analysis (MLR" in printed.out
    assert "Largest 3 modification indices" in printed.out
    assert "3 invalid response cells scored as missing" in printed.err
    written = pd.read_csv(out)
    with pytest.warns(InvalidResponseWarning):
        fit = ef.cfa(ef.datasets.load_demo(), "gse", estimator="MLR", on_invalid="missing")
    expected = fit.parameters
    assert len(written) == len(expected)
    np.testing.assert_allclose(written["est"], expected["est"], rtol=1e-12)


def test_invalid_cells_stop_cfa_with_the_flag_to_pass(demo_csv, capsys):
    assert main(["cfa", "gse", str(demo_csv)]) == 2
    err = capsys.readouterr().err
    assert "column 'gse4'" in err and "--on-invalid missing" in err


def test_invariance_with_free_items_is_the_partial_ladder(demo_csv, tmp_path, capsys):
    out = tmp_path / "ladder.csv"
    args = ["invariance", "gse", str(demo_csv), "--group", "sex", "--on-invalid", "missing"]
    assert main([*args, "--free", "gse3", "-o", str(out)]) == 0
    assert "Measurement invariance across 'sex'" in capsys.readouterr().out
    written = pd.read_csv(out, index_col="level")
    with pytest.warns(InvalidResponseWarning):
        inv = ef.invariance(ef.datasets.load_demo(), "gse", group="sex", on_invalid="missing")
    expected = inv.partial(["gse3"]).to_frame()
    assert list(written.index) == list(expected.index)
    np.testing.assert_allclose(written["chisq"], expected["chisq"], rtol=1e-10)
    assert list(written["verdict"]) == list(expected["verdict"])


def test_invariance_needs_a_group_and_refuses_to_overwrite_its_input(demo_csv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["invariance", "gse", str(demo_csv)])
    assert stop.value.code == 2
    assert main(["invariance", "gse", str(demo_csv), "--group", "sex", "-o", str(demo_csv)]) == 2
    assert "--output" in capsys.readouterr().err


def test_on_invalid_missing_fits_as_if_those_cells_were_blank():
    raw = ef.datasets.load_demo()
    with pytest.warns(InvalidResponseWarning):
        fit = ef.cfa(raw, "gse", on_invalid="missing")
    blanked = raw.copy()
    for column in ("gse4", "gse5", "gse8"):
        codes = pd.to_numeric(blanked[column], errors="coerce")
        bad = ~codes.isin([1, 2, 3, 4]) & blanked[column].notna()
        blanked.loc[bad, column] = np.nan
    reference = ef.cfa(blanked, "gse")
    assert fit.n_obs == reference.n_obs
    pd.testing.assert_series_equal(fit.fit_measures, reference.fit_measures)


def test_a_residual_covariance_from_the_command_line(demo_csv, tmp_path, capsys):
    out = tmp_path / "params.csv"
    args = ["cfa", "gse", str(demo_csv), "--on-invalid", "missing", "-o", str(out)]
    assert main([*args, "--residual-covariance", "gse6", "gse10"]) == 0
    written = pd.read_csv(out)
    row = written.query("lhs == 'gse6' and op == '~~' and rhs == 'gse10'")
    assert len(row) == 1
    with pytest.warns(InvalidResponseWarning):
        fit = ef.cfa(
            ef.datasets.load_demo(),
            "gse",
            on_invalid="missing",
            residual_covariances=[("gse6", "gse10")],
        )
    assert row["est"].iloc[0] == pytest.approx(
        fit.parameters.query("lhs == 'gse6' and op == '~~' and rhs == 'gse10'")["est"].iloc[0],
        rel=1e-12,
    )
    assert main([*args, "--residual-covariance", "gse6", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_messages_name_the_flags_of_these_commands(demo_csv, capsys):
    args = ["cfa", "gse", str(demo_csv), "--on-invalid", "missing"]
    assert main([*args, "--estimator", "WLSMV", "--missing-data", "fiml"]) == 2
    err = capsys.readouterr().err
    assert "--missing-data" in err and "missing=" not in err
    assert main([*args, "--missing-data", "pairwise"]) == 2
    err = capsys.readouterr().err
    assert "--missing-data pairwise is for --estimator WLSMV" in err
    with pytest.raises(SystemExit):
        main([*args, "--modindices", "-2"])
    assert "expected 0 or more" in capsys.readouterr().err


def test_top_must_be_positive():
    with pytest.warns(InvalidResponseWarning):
        fit = ef.cfa(ef.datasets.load_demo(), "gse", on_invalid="missing")
    assert len(fit.modification_indices(top=3)) == 3
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ModelError, match="top must be"):
            fit.modification_indices(top=bad)


def test_on_invalid_is_checked_with_a_model_too():
    data = ef.datasets.load_demo()[["gse1", "gse2", "gse3"]].apply(pd.to_numeric, errors="coerce")
    with pytest.raises(ef.errors.DataError, match="on_invalid must be 'raise' or 'missing'"):
        ef.cfa(data, model={"F": ["gse1", "gse2", "gse3"]}, on_invalid="bogus")
