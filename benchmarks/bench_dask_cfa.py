"""``ef.cfa`` (ML and MLR) of a dask frame of one-factor items: time and peak memory.

Each partition holds 1,000,000 rows of 10 items coded 1-4 that share one trait
(``clip(rint(2.5 + 0.8 trait + noise), 1, 4)``, 1% missing cells), generated from
its number, so the frame is never held. One stage per process (the peak is the
process's):

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_dask_cfa STAGE ROWS

``STAGE`` is ``memory_ml`` or ``memory_mlr`` (one partition in memory; ROWS is
ignored), ``ml`` or ``mlr`` (the dask frame of ROWS rows, threaded scheduler with two
workers). Prints one Markdown table row.
"""

from __future__ import annotations

import resource
import sys
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

ROWS_PER_PART = 1_000_000
N_ITEMS = 10
MISSING = 0.01
MODEL = {"F": [f"gse{j}" for j in range(1, N_ITEMS + 1)]}


def partition(number: int) -> pd.DataFrame:
    """Partition ``number``: one-factor items, rows labelled by their global position."""
    rng = np.random.default_rng(number)
    trait = rng.normal(size=(ROWS_PER_PART, 1))
    noise = rng.normal(size=(ROWS_PER_PART, N_ITEMS))
    values = np.clip(np.rint(2.5 + 0.8 * trait + noise), 1, 4)
    values[rng.random(values.shape) < MISSING] = np.nan
    start = number * ROWS_PER_PART
    return pd.DataFrame(
        values,
        columns=MODEL["F"],
        index=pd.RangeIndex(start, start + ROWS_PER_PART),
    )


def frame(n_rows: int) -> Any:
    """The lazy dask frame of ``n_rows`` rows (whole partitions)."""
    import dask.dataframe as dd

    return dd.from_map(partition, range(max(1, n_rows // ROWS_PER_PART)))


def main(stage: str, n_rows: int) -> str:
    import dask

    import efficacy as ef

    warnings.simplefilter("ignore")
    dask.config.set(scheduler="threads", num_workers=2)
    estimator = "MLR" if stage.endswith("mlr") else "ML"
    if stage.startswith("memory"):
        data: Any = partition(0)
        rows = ROWS_PER_PART
    else:
        data = frame(n_rows)
        rows = max(1, n_rows // ROWS_PER_PART) * ROWS_PER_PART
    start = time.perf_counter()
    fit = ef.cfa(data, model=MODEL, estimator=estimator)
    seconds = time.perf_counter() - start
    assert fit.converged and fit.n_obs + fit.n_dropped == rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"| {stage} | {rows:,} | {seconds:.1f} | {1e9 * seconds / rows:.0f} | {peak:.0f} |"


if __name__ == "__main__":
    print(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else ROWS_PER_PART))
