"""Scoring speed and memory: 1,000,000 respondents x 10 GSE items, 1% missing cells.

Compares ``ef.score`` (coding checks, missing rule, prorated sum, provenance) with the
bare numpy baseline ``np.nanmean`` over the same float array, and measures peak memory
with tracemalloc against the size of the input array.

Run: ``.venv/bin/python -m benchmarks.bench_scoring`` (writes benchmarks/results/scoring.md).
"""

from __future__ import annotations

import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import efficacy as ef

N_ROWS, N_ITEMS, MISSING = 1_000_000, 10, 0.01
RESULTS = Path(__file__).parent / "results" / "scoring.md"


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """Fastest wall time of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated while ``fn`` runs (numpy and pandas buffers included)."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    rng = np.random.default_rng(2026)
    values = rng.integers(1, 5, size=(N_ROWS, N_ITEMS)).astype(float)
    values[rng.random(values.shape) < MISSING] = np.nan
    data = pd.DataFrame(values, columns=[f"gse{i}" for i in range(1, N_ITEMS + 1)])
    gse = ef.load("gse")
    ef.score(data.head(), gse)

    baseline = best_of(lambda: np.nanmean(values, axis=1))
    scoring = best_of(lambda: ef.score(data, gse))
    labels = data.head(100_000).replace({4.0: "Exactly true", 2.0: "barely true"})
    labelled = best_of(lambda: ef.score(labels, gse), repeat=3)
    memory = peak_bytes(lambda: ef.score(data, gse))

    lines = [
        "# Scoring benchmark",
        "",
        "Command: `.venv/bin/python -m benchmarks.bench_scoring`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}  ",
        f"Data: {N_ROWS:,} respondents x {N_ITEMS} GSE items (codes 1-4), {MISSING:.0%} missing "
        "cells, float64 DataFrame. Best of 7 runs.",
        "",
        "| what | time | ratio to baseline |",
        "|---|---|---|",
        f"| `np.nanmean(values, axis=1)` (baseline) | {baseline * 1e3:.0f} ms | 1.00 |",
        f"| `ef.score(data, 'gse')` | {scoring * 1e3:.0f} ms | {scoring / baseline:.2f} |",
        f"| `ef.score` on 100,000 rows with text labels mixed in | {labelled * 1e3:.0f} ms | |",
        "",
        f"Peak memory of `ef.score`: {memory / 1e6:.0f} MB for an input array of "
        f"{values.nbytes / 1e6:.0f} MB ({memory / values.nbytes:.2f}x; target at most 4x).",
        f"Time target: at most 3x the baseline; measured {scoring / baseline:.2f}x.",
        "",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
