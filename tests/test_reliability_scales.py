"""ef.reliability: every scale of an instrument, keyed and coded by the instrument."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficacy as ef

RSES_REVERSED = ["rses2", "rses5", "rses6", "rses8", "rses9"]


@pytest.fixture(scope="module")
def rses_data() -> pd.DataFrame:
    """Simulated RSES answers on the instrument's own 0-3 coding (one latent factor)."""
    rng = np.random.default_rng(11)
    theta = rng.normal(size=(400, 1))
    loadings = np.linspace(0.5, 0.9, 10)
    latent = theta * loadings + rng.normal(size=(400, 10)) * 0.7
    codes = np.clip(np.round(latent + 1.5), 0, 3)
    items = [f"rses{i}" for i in range(1, 11)]
    frame = pd.DataFrame(codes, columns=items)
    frame[RSES_REVERSED] = 3 - frame[RSES_REVERSED]  # as answered: reverse-keyed wording
    frame.iloc[::37, 3] = np.nan
    return frame


def test_reverse_keys_and_declared_range_come_from_the_instrument(rses_data):
    inst = ef.load("rses")
    assert sorted(inst.reverse_items) == sorted(RSES_REVERSED)
    rel = ef.reliability(rses_data, inst, omega=False)
    direct = ef.alpha(rses_data, reverse=RSES_REVERSED, min=0, max=3)
    assert rel["rses"].alpha.alpha == pytest.approx(direct.alpha, abs=1e-12)
    assert rel["rses"].alpha.std_alpha == pytest.approx(direct.std_alpha, abs=1e-12)
    pd.testing.assert_frame_equal(rel["rses"].alpha.items, direct.items, check_exact=False)
    # keyed properly, the items hang together; unkeyed they would not
    assert rel["rses"].alpha.alpha > 0.8
    with pytest.warns(UserWarning, match="mis-keyed"):
        assert ef.alpha(rses_data).alpha < rel["rses"].alpha.alpha


def test_every_scale_of_a_multi_scale_instrument():
    rng = np.random.default_rng(5)
    theta = rng.normal(size=(300, 1))
    codes = np.clip(np.round(6 + 1.5 * theta + rng.normal(size=(300, 24))), 1, 9)
    data = pd.DataFrame(codes, columns=[f"tses{i}" for i in range(1, 25)])
    inst = ef.load("tses")
    table = ef.reliability(data, inst, omega=False).to_frame()
    assert list(table.index) == list(inst.scale_ids)
    for scale in inst.scales:
        direct = ef.alpha(data[list(scale.items)], min=1, max=9)
        assert table.loc[scale.id, "alpha"] == pytest.approx(direct.alpha, abs=1e-12)
        assert table.loc[scale.id, "n_items"] == scale.n_items
    assert table.loc["tses", "published_alpha"] == "0.94"


def test_published_alpha_is_shown_beside_the_sample_value():
    from efficacy.datasets import load_demo

    data = load_demo()
    with pytest.warns(UserWarning, match="invalid response cells"):
        rel = ef.reliability(data, "gse", on_invalid="missing", omega=False)
    row = rel.to_frame().loc["gse"]
    assert row["published_alpha"] == "0.76-0.9"
    assert row["n_obs"] == len(data)
    assert row["alpha_ci_lower"] < row["alpha"] < row["alpha_ci_upper"]
