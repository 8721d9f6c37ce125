"""dask: split-half, Guttman's lambdas, omega and alpha's bootstrap at 10,000,000 x 10.

The data (800 MB as floats) are never whole in memory: ``dd.from_map`` generates each
partition of 1,000,000 rows when it is needed (one normal trait plus noise per item,
rounded and clipped to codes 1-4, 1% missing cells, a seed per partition). Measured,
each in a fresh process (peak resident memory from ``getrusage``: everything the
process holds, Python, numpy, pandas and dask included):

* ``ef.split_half``, ``ef.guttman`` and ``ef.omega`` (one factor) of the dask frame,
  and ``ef.omega(n_boot=20)`` (its bootstrap gathers the answer patterns in one more
  pass: the driver holds the distinct patterns and 4 bytes per row);
* ``ef.alpha(ci="bca", n_boot=1000)`` of the dask frame (the same pattern pass; the
  resamples and the jackknife then work on the patterns, as in memory);
* the generation alone (one pass), which each includes;
* the in-memory path on 1,000,000 rows (the same generator, one partition) for the
  time per row.

Run: ``.venv/bin/python -m benchmarks.bench_dask_family [rows] [statistic ...]``
(default 10,000,000 rows and every statistic; writes benchmarks/results/dask_family.md,
where the rows of the statistics run replace their earlier rows and the others are
kept). The scheduler is dask's threaded one with 2 workers.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROWS_PER_PART, N_ITEMS, MISSING = 1_000_000, 10, 0.01
RESULTS = Path(__file__).parent / "results" / "dask_family.md"
#: Resamples of the alpha bootstrap stage (BCa: the bootstrap and the jackknife).
ALPHA_BOOT = 1000
STATISTICS = {
    "split_half": lambda data: __import__("efficacy").split_half(data).max,
    "guttman": lambda data: __import__("efficacy").guttman(data).lambda6,
    "omega": lambda data: __import__("efficacy").omega(data).omega_total,
    "omega_boot20": lambda data: (
        __import__("efficacy").omega(data, n_boot=20, seed=1).ci.loc["omega_total", "lower"]
    ),
    f"alpha_bca{ALPHA_BOOT}": lambda data: (
        __import__("efficacy").alpha(data, ci="bca", n_boot=ALPHA_BOOT, seed=1).ci[0]
    ),
}


def partition(number: int) -> pd.DataFrame:
    """Partition ``number``: its rows labelled by their global position."""
    rng = np.random.default_rng(number)
    trait = rng.normal(size=(ROWS_PER_PART, 1))
    values = np.clip(np.rint(2.5 + trait + rng.normal(size=(ROWS_PER_PART, N_ITEMS))), 1, 4)
    values[rng.random(values.shape) < MISSING] = np.nan
    start = number * ROWS_PER_PART
    return pd.DataFrame(
        values,
        columns=[f"gse{j}" for j in range(1, N_ITEMS + 1)],
        index=pd.RangeIndex(start, start + ROWS_PER_PART),
    )


def frame(n_rows: int) -> Any:
    """The lazy dask frame of ``n_rows`` rows."""
    import dask.dataframe as dd

    return dd.from_map(partition, range(n_rows // ROWS_PER_PART))


def run(stage: str, n_rows: int) -> dict[str, float]:
    """One measured stage, in this process (``memory_<statistic>`` reads one partition)."""
    import dask

    warnings.simplefilter("ignore")
    dask.config.set(scheduler="threads", num_workers=2)
    start = time.perf_counter()
    if stage == "generate":
        value = float(frame(n_rows).map_partitions(len).sum().compute())
    elif stage.startswith("memory_"):
        data = partition(0)
        start = time.perf_counter()
        value = STATISTICS[stage.removeprefix("memory_")](data)
    else:
        value = STATISTICS[stage](frame(n_rows))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_bytes": peak, "value": float(value)}


def measured(stage: str, n_rows: int) -> dict[str, float]:
    """``run`` in a fresh process, so that its peak memory is its own."""
    call = f"run({stage!r}, {n_rows})"
    code = f"import json; from benchmarks.bench_dask_family import run; print(json.dumps({call}))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _table_rows(n_rows: int) -> dict[str, str]:
    """The rows of the results table of ``n_rows`` rows written before, by stage."""
    if not RESULTS.exists() or f"at {n_rows:,} x" not in RESULTS.read_text(encoding="utf-8"):
        return {}
    rows = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if line.startswith("| ") and len(cells) > 2 and not line.startswith("| stage"):
            rows[cells[0].removeprefix("| ")] = line
    return rows


def main(n_rows: int = 10_000_000, names: list[str] | None = None) -> None:
    chosen = names or list(STATISTICS)
    unknown = sorted(set(chosen) - set(STATISTICS))
    if unknown:
        raise SystemExit(f"unknown statistics {unknown}; choose from {list(STATISTICS)}")
    stages = [(f"memory_{name}", ROWS_PER_PART) for name in chosen]
    stages += [("generate", n_rows)] * (not names) + [(name, n_rows) for name in chosen]
    table = _table_rows(n_rows)
    for stage, size in stages:
        result = measured(stage, size)
        print(stage, size, result, flush=True)
        table[stage] = (
            f"| {stage} | {size:,} | {result['seconds']:.1f} | "
            f"{1e9 * result['seconds'] / size:.0f} | {result['peak_bytes'] / 2**20:.0f} | "
            f"{result['value']:.6f} |"
        )
    order = [f"memory_{name}" for name in STATISTICS] + ["generate", *STATISTICS]
    lines = [
        f"# dask: split-half, Guttman, omega and alpha's bootstrap at {n_rows:,} x {N_ITEMS}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; dask threaded scheduler, 2 workers; partitions of "
        f"{ROWS_PER_PART:,} rows. Command: "
        f"`.venv/bin/python -m benchmarks.bench_dask_family {n_rows}` (one statistic: "
        "add its name).",
        "",
        "| stage | rows | seconds | ns per row | peak resident memory (MB) | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [table[stage] for stage in order if stage in table]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000, sys.argv[2:])
