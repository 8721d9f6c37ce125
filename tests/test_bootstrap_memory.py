"""Bootstraps of alpha and omega: pattern counts, blocks of bounded memory, progress."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import efficacy as ef
import efficacy.coefficients.alpha_family._bootstrap as boot
import efficacy.coefficients.factor_analysis._omega as omega_module
from efficacy.coefficients.factor_analysis._bootstrap import resample_weights, weighted_correlations
from efficacy.coefficients.factor_analysis._fa import correlation_input


def likert(n: int, k: int, missing: float = 0.0, seed: int = 0, cats: int = 4) -> np.ndarray:
    """``n`` x ``k`` responses 1..cats from one factor, ``missing`` share blank."""
    rng = np.random.default_rng(seed)
    loadings = np.linspace(0.5, 0.8, k)
    latent = rng.standard_normal((n, 1)) * loadings + rng.standard_normal((n, k)) * np.sqrt(
        1 - loadings**2
    )
    cuts = np.quantile(latent, np.linspace(0, 1, cats + 1)[1:-1])
    x = np.digitize(latent, cuts) + 1.0
    if missing:
        x[rng.random(x.shape) < missing] = np.nan
    return x


def centred(x: np.ndarray) -> np.ndarray:
    return x - np.nanmean(x, axis=0)


# --- distinct patterns -----------------------------------------------------------------


def test_row_patterns_rebuild_the_rows_blanks_included():
    x = likert(3_000, 5, missing=0.05, seed=1)
    first, inverse, counts = boot.row_patterns(x)
    np.testing.assert_array_equal(x[first][inverse], x)  # NaN in the same places
    assert counts.sum() == x.shape[0] and counts.size == first.size < x.shape[0]
    assert np.array_equal(np.bincount(inverse), counts)


def test_row_patterns_with_many_distinct_values_per_column():
    # the mixed-radix key would overflow: the patterns come from the rows themselves
    rng = np.random.default_rng(2)
    x = rng.standard_normal((400, 12)).round(6)
    x[1::7] = x[::7][: x[1::7].shape[0]]
    first, inverse, counts = boot.row_patterns(x)
    np.testing.assert_array_equal(x[first][inverse], x)
    assert counts.max() == 2


@pytest.mark.parametrize("pairwise", [True, False])
def test_pattern_counts_give_the_row_bootstrap_for_the_same_weights(pairwise):
    x = likert(2_000, 6, missing=0.03 if pairwise else 0.0, seed=3)
    z = centred(x)
    rng = np.random.default_rng(4)
    weights = resample_weights(rng, z.shape[0], 25)
    by_rows = boot.row_alphas(z, pairwise, weights)
    by_patterns = boot.pattern_alphas(z, pairwise, weights)
    assert np.isfinite(by_rows).all()
    np.testing.assert_allclose(by_patterns, by_rows, rtol=0, atol=1e-12)
    # and both are the alpha of the resampled rows themselves
    draws = np.random.default_rng(4).integers(0, z.shape[0], size=(25, z.shape[0]))
    policy = "pairwise" if pairwise else "listwise"
    explicit = ef.alpha(x[draws[0]], nan_policy=policy, warn_negative=False).alpha
    assert by_patterns[0] == pytest.approx(explicit, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(5, 40), st.integers(2, 5)), elements=st.integers(1, 3)
    ),
    st.floats(0, 0.3),
    st.integers(0, 2**32 - 1),
)
def test_pattern_and_row_alphas_agree_on_any_small_data(x, blank, seed):
    rng = np.random.default_rng(seed)
    x = x.copy()
    x[rng.random(x.shape) < blank] = np.nan
    weights = rng.multinomial(x.shape[0], np.full(x.shape[0], 1 / x.shape[0]), size=4)
    for pairwise in (True, False):
        z = centred(x) if pairwise else centred(x[~np.isnan(x).any(axis=1)])
        if z.shape[0] == 0 or np.isnan(z).all(axis=0).any():
            continue
        w = weights if pairwise else weights[:, : z.shape[0]]
        # resamples with a constant item have no alpha (0/0): rounding decides its value
        varied = [
            np.nanmin(np.nanvar(z[np.repeat(np.arange(z.shape[0]), row)], axis=0)) > 1e-6
            for row in w.astype(int)
        ]
        by_rows = boot.row_alphas(z, pairwise, w)[varied]
        by_patterns = boot.pattern_alphas(z, pairwise, w)[varied]
        np.testing.assert_allclose(by_patterns, by_rows, rtol=1e-9, atol=1e-9)


def test_bootstrap_does_not_depend_on_the_block_size(monkeypatch):
    z = centred(likert(1_500, 5, missing=0.02, seed=5))
    whole = boot.bootstrap_alphas(z, True, 30, np.random.default_rng(6))
    monkeypatch.setattr(boot, "BLOCK_CELLS", 1)  # one resample per block
    monkeypatch.setattr(boot, "CACHE_CELLS", 10)  # products remade block by block
    blocked = boot.bootstrap_alphas(z, True, 30, np.random.default_rng(6))
    np.testing.assert_allclose(blocked, whole, rtol=0, atol=1e-12)


def test_bootstrap_distribution_matches_plain_row_resampling():
    # the same seeded draws: resample b of ef.alpha is rows integers(0, N, (n_boot, N))[b]
    x = likert(300, 4, missing=0.05, seed=7)
    res = ef.alpha(x, ci="bootstrap", n_boot=200, seed=8)
    draws = np.random.default_rng(8).integers(0, 300, size=(200, 300))
    expected = [ef.alpha(x[d], warn_negative=False).alpha for d in draws[:5]]
    np.testing.assert_allclose(res.boot[:5], expected, atol=1e-12)


# --- bounded memory --------------------------------------------------------------------


def peak_bytes(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_alpha_bootstrap_memory_does_not_grow_with_resamples(monkeypatch):
    z = centred(likert(100_000, 4, missing=0.01, seed=9, cats=3))
    data_bytes = z.nbytes  # 3.2 MB
    monkeypatch.setattr(boot, "BLOCK_CELLS", 2_000)  # blocks of a few resamples

    def run(n_boot):
        return lambda: boot.bootstrap_alphas(z, True, n_boot, np.random.default_rng(1))

    few, many = peak_bytes(run(20)), peak_bytes(run(400))
    # Only the 380 extra results (8 bytes each) may add to the peak.
    assert many <= few + 64_000
    # One resample's draws (N integers) and the pattern bookkeeping, not blocks of N x B.
    assert many < 4 * data_bytes


def test_omega_bootstrap_memory_does_not_grow_with_resamples(monkeypatch):
    x = likert(20_000, 5, seed=10, cats=5)
    monkeypatch.setattr(omega_module, "BLOCK_CELLS", 20_000)  # blocks of a few replicates
    data = correlation_input(x, "pairwise", None)

    def run(n_boot):
        return lambda: omega_module._bootstrap_matrices(
            data,
            np.random.default_rng(1),
            n_boot,
            poly=False,
            codes=None,
            nan_policy="pairwise",
            correct=0.5,
        )

    few, many = peak_bytes(run(10)), peak_bytes(run(200))
    # the (n_boot, k, k) matrices are the only part that grows: 190 x 25 doubles
    assert many <= few + 190 * 25 * 8 + 64_000
    assert many < 4 * x.nbytes


@pytest.mark.parametrize("missing", [0.0, 0.03])
def test_omega_bootstrap_matrices_equal_the_row_weighted_ones(missing, monkeypatch):
    x = likert(800, 5, missing=missing, seed=11)
    data = correlation_input(x, "pairwise", None)
    expected = weighted_correlations(x, resample_weights(np.random.default_rng(2), 800, 12))
    monkeypatch.setattr(omega_module, "BLOCK_CELLS", 1)  # one replicate per block
    mats = omega_module._bootstrap_matrices(
        data,
        np.random.default_rng(2),
        12,
        poly=False,
        codes=None,
        nan_policy="pairwise",
        correct=0.5,
    )
    np.testing.assert_allclose(mats, expected, rtol=0, atol=1e-12)


def test_omega_listwise_and_polychoric_bootstraps_are_seeded_and_finite():
    x = likert(600, 5, missing=0.02, seed=12)
    for kwargs in ({"nan_policy": "listwise"}, {"poly": True}):
        first = ef.omega(x, nfactors=1, n_boot=8, seed=3, **kwargs)
        again = ef.omega(x, nfactors=1, n_boot=8, seed=3, **kwargs)
        assert np.isfinite(first.replicates.to_numpy()).all()
        np.testing.assert_array_equal(first.replicates, again.replicates)


# --- progress --------------------------------------------------------------------------


def test_progress_bar_counts_the_resamples_when_asked(capsys):
    z = centred(likert(500, 4, seed=13))
    boot.bootstrap_alphas(z, False, 50, np.random.default_rng(1), progress=True)
    err = capsys.readouterr().err
    assert "alpha bootstrap" in err and "/50" in err and "replicate" in err


def test_no_progress_bar_off_a_terminal(capsys):
    x = likert(500, 4, seed=14)
    ef.alpha(x, ci="bootstrap", n_boot=50, seed=1)
    ef.omega(x, nfactors=1, n_boot=5, seed=1)
    assert capsys.readouterr().err == ""  # tqdm's disable=None: standard error is no TTY


def test_without_tqdm_there_is_simply_no_bar(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    bar = boot.progress_bar(10, "alpha bootstrap", progress=True)
    assert isinstance(bar, boot._NoBar)
    z = centred(likert(300, 4, seed=15))
    out = boot.bootstrap_alphas(z, False, 20, np.random.default_rng(1), progress=True)
    assert np.isfinite(out).all() and capsys.readouterr().err == ""


def test_report_progress_choice_reaches_the_omega_bootstrap(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    x = likert(300, 4, seed=16)
    ef.omega(x, nfactors=1, n_boot=5, seed=1)
    assert "omega bootstrap" in capsys.readouterr().err  # a terminal: the bar shows
    with boot.bootstrap_progress(False):  # the report with progress=False (efficacy -q)
        ef.omega(x, nfactors=1, n_boot=5, seed=1)
    assert capsys.readouterr().err == ""
    with boot.bootstrap_progress(True):
        monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
        ef.omega(x, nfactors=1, n_boot=5, seed=1)
    assert "omega bootstrap" in capsys.readouterr().err


def test_report_passes_its_progress_choice_on(monkeypatch):
    import efficacy.output._analysis as analysis

    seen = []
    real = analysis.omega_of

    def spy(*args, **kwargs):
        seen.append(boot._PROGRESS.get())
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "omega_of", spy)
    data = ef.datasets.load_prepost()
    ef.report(data, "gse", columns="pre_gse{n}", n_boot=0, progress=False)
    assert seen == [False]
