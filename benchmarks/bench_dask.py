"""dask at 100,000,000 respondents x 10 GSE items, generated partition by partition.

The data (8 GB as floats) are never whole in memory: ``dd.from_map`` generates each
partition of 1,000,000 rows when it is needed (integer codes 1-4, 1% missing cells,
a seed per partition). Measured, each in a fresh process (peak resident memory from
``getrusage``, which counts everything the process holds: Python, numpy, pandas and
dask themselves included):

* ``ef.alpha`` of the dask item frame;
* ``ef.score`` then ``ef.build_norms`` of the lazy scores (``score`` checks every cell
  in one pass, ``build_norms`` scores and counts in another);
* the generation alone (one pass), which both include;
* the in-memory path on 1,000,000 rows (the same generator, one partition) for the
  time per row.

Run: ``.venv/bin/python -m benchmarks.bench_dask [rows]`` (default 100,000,000; writes
benchmarks/results/dask.md). The scheduler is dask's threaded one with 2 workers.

The screen case, ``.venv/bin/python -m benchmarks.bench_dask screen [rows ...]``
(default 10,000,000; several sizes show that the peak does not grow with the rows;
writes benchmarks/results/dask_screen.md), measures ``ef.screen`` of the
generated frame, then its lazy rows written with ``to_frame().to_parquet`` and the
counts tallied in the same pass (``count_along``), against the in-memory screen of one
partition.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROWS_PER_PART, N_ITEMS, MISSING = 1_000_000, 10, 0.01
RESULTS = Path(__file__).parent / "results" / "dask.md"
SCREEN_RESULTS = Path(__file__).parent / "results" / "dask_screen.md"


def partition(number: int) -> pd.DataFrame:
    """Partition ``number``: its rows labelled by their global position."""
    rng = np.random.default_rng(number)
    values = rng.integers(1, 5, size=(ROWS_PER_PART, N_ITEMS)).astype(float)
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
    """One measured stage, in this process."""
    import dask

    import efficacy as ef

    warnings.simplefilter("ignore")
    dask.config.set(scheduler="threads", num_workers=2)
    start = time.perf_counter()
    if stage == "alpha":
        value = ef.alpha(frame(n_rows)).alpha
    elif stage == "score_norms":
        scores = ef.score(frame(n_rows), "gse")
        value = ef.build_norms(scores, instrument="gse").groups[0].mean
    elif stage == "generate":
        value = float(frame(n_rows).map_partitions(len).sum().compute())
    elif stage == "screen_parquet":
        value, extra = _screen_parquet(n_rows)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"seconds": seconds, "peak_bytes": peak, "value": float(value), **extra}
    elif stage == "memory_screen":
        data = partition(0)
        start = time.perf_counter()
        value = ef.screen(data, "gse").n_flagged
    elif stage == "memory_alpha":
        items = partition(0)
        start = time.perf_counter()
        value = ef.alpha(items).alpha
    elif stage == "memory_score_norms":
        data = partition(0)
        start = time.perf_counter()
        value = ef.build_norms(ef.score(data, "gse"), instrument="gse").groups[0].mean
    else:
        raise ValueError(stage)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak_bytes": peak, "value": float(value)}


def _screen_parquet(n_rows: int) -> tuple[int, dict[str, float]]:
    """The lazy screen of the generated frame written to parquet, counted in that pass."""
    import efficacy as ef

    folder = Path(tempfile.mkdtemp(prefix="screen-"))
    try:
        start = time.perf_counter()
        result = ef.screen(frame(n_rows), "gse")
        eager = time.perf_counter()
        result.count_along(result.to_frame().to_parquet(folder / "screen", compute=False))
        written = time.perf_counter()
        n_flagged = result.n_flagged  # tallied in the pass that wrote the rows
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return n_flagged, {
        "screen_seconds": eager - start,
        "parquet_seconds": written - eager,
        "parquet_bytes": float(size),
    }


def measured(stage: str, n_rows: int) -> dict[str, float]:
    """``run`` in a fresh process, so that its peak memory is its own."""
    call = f"run({stage!r}, {n_rows})"
    code = f"import json; from benchmarks.bench_dask import run; print(json.dumps({call}))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(n_rows: int = 100_000_000) -> None:
    rows: list[tuple[str, int, dict[str, float]]] = []
    for stage, size in [
        ("memory_alpha", ROWS_PER_PART),
        ("memory_score_norms", ROWS_PER_PART),
        ("generate", n_rows),
        ("alpha", n_rows),
        ("score_norms", n_rows),
    ]:
        result = measured(stage, size)
        rows.append((stage, size, result))
        print(stage, size, result, flush=True)
    lines = [
        "# dask: 100,000,000 x 10 generated partition by partition",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; dask threaded scheduler, 2 workers; partitions of "
        f"{ROWS_PER_PART:,} rows. Command: `.venv/bin/python -m benchmarks.bench_dask {n_rows}`.",
        "",
        "| stage | rows | seconds | ns per row | peak resident memory (MB) | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for stage, size, result in rows:
        lines.append(
            f"| {stage} | {size:,} | {result['seconds']:.1f} | "
            f"{1e9 * result['seconds'] / size:.0f} | {result['peak_bytes'] / 2**20:.0f} | "
            f"{result['value']:.6f} |"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


def main_screen(sizes: Sequence[int] = (10_000_000,)) -> None:
    """The screen case: in memory on one partition, lazy to parquet on each size."""
    rows = []
    stages = [("memory_screen", ROWS_PER_PART)] + [("screen_parquet", n) for n in sizes]
    for stage, size in stages:
        result = measured(stage, size)
        rows.append((stage, size, result))
        print(stage, size, result, flush=True)
    n_rows = sizes[0]
    lazy = rows[1][2]
    command = " ".join(str(n) for n in sizes)
    lines = [
        f"# dask: a lazy ef.screen of {n_rows:,} x 10 written to parquet",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; dask threaded scheduler, 2 workers; partitions of "
        f"{ROWS_PER_PART:,} rows generated when needed. Command: "
        f"`.venv/bin/python -m benchmarks.bench_dask screen {command}`.",
        "",
        "| stage | rows | seconds | ns per row | peak resident memory (MB) | flagged |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for stage, size, result in rows:
        lines.append(
            f"| {stage} | {size:,} | {result['seconds']:.1f} | "
            f"{1e9 * result['seconds'] / size:.0f} | {result['peak_bytes'] / 2**20:.0f} | "
            f"{result['value']:,.0f} |"
        )
    lines += [
        "",
        f"screen_parquet at {n_rows:,} rows: `ef.screen` (the invalid-cell pass and the "
        f"two statistics passes) {lazy['screen_seconds']:.1f} s; then "
        "`count_along(to_frame().to_parquet(..., compute=False))`, the indices computed "
        f"partition by partition, written and tallied in one pass, {lazy['parquet_seconds']:.1f} s "
        f"({lazy['parquet_bytes'] / 2**20:.0f} MB of parquet written); `n_flagged` then "
        "reads nothing. Peak memory is set by the partitions in flight (two workers, "
        "1,000,000 rows each), not by the number of rows.",
        "",
        "Load average (1, 5, 15 min) at the end: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + " (a shared machine: the seconds vary with it, the peaks hardly).",
    ]
    SCREEN_RESULTS.parent.mkdir(exist_ok=True)
    SCREEN_RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {SCREEN_RESULTS}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "screen":
        main_screen([int(n) for n in sys.argv[2:]] or [10_000_000])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000_000)
