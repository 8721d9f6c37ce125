"""The report's omega bootstrap: left out, and said so, where it cannot show anything."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

import efficacy as ef
from efficacy.output._analysis import BOOT_HALF_WIDTH, omega_bootstrap_note

Z95 = float(ndtri(0.975))


def gse_items(n: int, seed: int, low: float = 0.75, high: float = 0.9) -> pd.DataFrame:
    """``n`` respondents x the 10 GSE items (1..4) from one factor."""
    rng = np.random.default_rng(seed)
    loadings = np.linspace(low, high, 10)
    latent = rng.standard_normal((n, 1)) * loadings + rng.standard_normal((n, 10)) * np.sqrt(
        1 - loadings**2
    )
    codes = np.digitize(latent, [-1.2, -0.3, 0.6]) + 1
    return pd.DataFrame(codes, columns=[f"gse{j + 1}" for j in range(10)])


def test_note_threshold_is_the_predicted_half_width():
    at = SimpleNamespace(ase=BOOT_HALF_WIDTH / Z95, n_obs=50_000)
    above = SimpleNamespace(ase=BOOT_HALF_WIDTH / Z95 * 1.001, n_obs=50_000)
    note = omega_bootstrap_note(at, 0.95, 200)
    assert note is not None and "n = 50,000" in note and "200 bootstrap replicates" in note
    assert "±0.0025" in note
    assert omega_bootstrap_note(above, 0.95, 200) is None
    # a wider level predicts a wider interval
    assert omega_bootstrap_note(at, 0.99, 200) is None
    # nothing asked, or no finite standard error: nothing left out
    assert omega_bootstrap_note(at, 0.95, 0) is None
    assert omega_bootstrap_note(SimpleNamespace(ase=float("nan"), n_obs=10), 0.95, 200) is None


@pytest.mark.parametrize(("low", "high", "k"), [(0.5, 0.8, 10), (0.1, 0.9, 6)])
def test_omega_bootstrap_sd_is_at_most_about_alphas_standard_error(low, high, k):
    # the justification of the threshold: omega's bootstrap SE is not above alpha's ASE
    items = gse_items(1_500, seed=k, low=low, high=high).iloc[:, :k]
    ase = ef.alpha(items).ase
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sd = ef.omega(items, nfactors=1, n_boot=150, seed=1).ci.loc["omega_total", "sd"]
    assert sd <= 1.25 * ase


@pytest.fixture(scope="module")
def large_report():
    items = gse_items(40_000, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ef.report(items, "gse", n_boot=200, seed=7)


def test_large_sample_report_leaves_out_omega_bootstrap_and_says_so(large_report):
    rep = large_report
    alpha = rep.reliability["gse"].alpha
    assert Z95 * alpha.ase <= BOOT_HALF_WIDTH
    omega = rep.omega["gse"]
    assert omega.ci is None and omega.n_boot == 0
    html = rep.html
    assert html.count("no bootstrap interval: with n = 40,000") >= 3  # note, methods, provenance
    assert "200 bootstrap replicates were not run" in html
    assert "with a bootstrap interval" not in html
    assert "(bootstrap, 200 replicates" not in html
    assert not any("Efron" in ref for ref in rep.references)


def test_small_sample_report_still_bootstraps_with_its_settings():
    items = gse_items(400, seed=4, low=0.4, high=0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ef.report(items, "gse", n_boot=30, seed=5)
    assert rep.omega["gse"].ci is not None and rep.omega["gse"].n_boot == 30
    assert "with a bootstrap interval (30 replicates, seed 5)" in rep.html
    assert "no bootstrap interval" not in rep.html
    assert any("Efron" in ref for ref in rep.references)


def test_bootstrap_text_names_settings_and_each_scale_left_out():
    from efficacy.output._analysis import Analysis

    scales = [SimpleNamespace(id="a", name="Scale A"), SimpleNamespace(id="b", name="Scale B")]
    with_ci, without = SimpleNamespace(ci=pd.DataFrame()), SimpleNamespace(ci=None)

    def analysis(n_boot, omegas, notes):
        return SimpleNamespace(
            options=SimpleNamespace(n_boot=n_boot, seed=3),
            instrument=SimpleNamespace(scales=scales),
            omegas=omegas,
            omega_notes=notes,
            bootstrapped=Analysis.bootstrapped.fget(SimpleNamespace(omegas=omegas)),
        )

    both = analysis(100, {"a": with_ci, "b": with_ci}, {})
    assert Analysis.bootstrap_text(both) == "100 replicates, seed 3"
    mixed = analysis(100, {"a": with_ci, "b": without}, {"b": "no bootstrap interval: x"})
    assert mixed.bootstrapped
    assert Analysis.bootstrap_text(mixed) == (
        "100 replicates, seed 3; Scale B: no bootstrap interval: x"
    )
    none = analysis(100, {"a": without, "b": without}, {"a": "n1", "b": "n2"})
    assert not none.bootstrapped
    assert Analysis.bootstrap_text(none) == "Scale A: n1; Scale B: n2"
    assert Analysis.bootstrap_text(analysis(0, {"a": without}, {})) == ""
