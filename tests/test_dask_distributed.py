"""The dask path on a local two-worker cluster (loopback only): the same numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")

import efficacy as ef  # noqa: E402


def test_score_alpha_and_norms_on_a_local_cluster():
    rng = np.random.default_rng(3)
    n = 2000
    trait = rng.normal(size=n)
    data = pd.DataFrame(
        {f"gse{i}": np.clip(np.rint(2.5 + trait + rng.normal(size=n)), 1, 4) for i in range(1, 11)}
    )
    data = data.mask(rng.random(data.shape) < 0.02)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own start-up notices
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp://",
            host="127.0.0.1",
            dashboard_address=None,
        )
    with cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        frame = dd.from_pandas(data, npartitions=8)
        scores = ef.score(frame, "gse")
        items = ef.item_responses(frame, "gse")
        got_scores = scores.compute()
        got_alpha = ef.alpha(items)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = ef.build_norms(scores, instrument="gse")
    expected_scores = ef.score(data, "gse")
    expected_scores.attrs = {}
    pd.testing.assert_frame_equal(got_scores, expected_scores, rtol=1e-12, atol=0)
    expected_alpha = ef.alpha(ef.item_responses(data, "gse"))
    pd.testing.assert_frame_equal(got_alpha.items, expected_alpha.items, rtol=1e-12, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_table = ef.build_norms(expected_scores, instrument="gse")
    assert table.groups[0].percentiles == expected_table.groups[0].percentiles
    assert table.groups[0].sd == pytest.approx(expected_table.groups[0].sd, rel=1e-12)
