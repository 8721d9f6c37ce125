"""Time and peak memory of the report and the bootstraps at 1,000,000 respondents.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_scale_memory data        # write the data files
    /usr/bin/time -v .venv/bin/efficacy report gse /tmp/efficacy-scale-memory/gse_1m.csv \\
        -o /tmp/gse_1m.html -q
    /usr/bin/time -v .venv/bin/python -m benchmarks.bench_scale_memory alpha
    /usr/bin/time -v .venv/bin/python -m benchmarks.bench_scale_memory omega

``data`` writes two CSV files of 1,000,000 respondents x the 10 GSE items (four-point
answers from a one-factor model, loadings .5 to .8, seed 2026) to
``/tmp/efficacy-scale-memory``: ``gse_1m.csv`` complete and ``gse_1m_missing.csv`` with 1 % of
the cells blank at random (about 20 MB each). ``alpha`` times ``ef.alpha(ci="bootstrap",
n_boot=1000)`` with pairwise deletion on the file with blanks; ``omega`` times
``ef.omega(n_boot=200)`` on the complete file (``alpha 50``: 50 resamples). Each prints
its seconds (the reading of the file excluded); ``/usr/bin/time -v`` gives the peak
resident memory ("Maximum resident set size"). The numbers are written down in
``benchmarks/SCALE_RESULTS.md``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

FOLDER = Path(tempfile.gettempdir()) / "efficacy-scale-memory"
COMPLETE = FOLDER / "gse_1m.csv"
MISSING = FOLDER / "gse_1m_missing.csv"
N_ROWS = 1_000_000
N_ITEMS = 10


def make_items(n: int = N_ROWS, missing: float = 0.0, seed: int = 2026) -> pd.DataFrame:
    """``n`` respondents x 10 four-point items from one factor; ``missing`` share blank."""
    rng = np.random.default_rng(seed)
    loadings = np.linspace(0.5, 0.8, N_ITEMS)
    trait = rng.standard_normal((n, 1))
    latent = trait * loadings + rng.standard_normal((n, N_ITEMS)) * np.sqrt(1 - loadings**2)
    codes = np.digitize(latent, [-1.2, -0.3, 0.6]) + 1.0
    if missing:
        codes[rng.random(codes.shape) < missing] = np.nan
    return pd.DataFrame(codes, columns=[f"gse{j + 1}" for j in range(N_ITEMS)])


def write_data() -> None:
    """Write the complete file and the file with 1 % blank cells."""
    FOLDER.mkdir(exist_ok=True)
    make_items().to_csv(COMPLETE, index=False, float_format="%.0f")
    make_items(missing=0.01).to_csv(MISSING, index=False, float_format="%.0f")


def time_alpha(n_boot: int = 1000) -> float:
    """Seconds of an ``n_boot``-resample pairwise alpha bootstrap on the file with blanks."""
    import efficacy as ef

    items = pd.read_csv(MISSING)
    start = time.perf_counter()
    res = ef.alpha(items, ci="bootstrap", n_boot=n_boot, seed=1, nan_policy="pairwise")
    seconds = time.perf_counter() - start
    print(f"alpha {res.alpha:.6f} CI {res.ci}")
    return seconds


def time_omega() -> float:
    """Seconds of ``ef.omega(n_boot=200)`` on the complete file (``alpha 50``: 50 resamples)."""
    import efficacy as ef

    items = pd.read_csv(COMPLETE)
    start = time.perf_counter()
    res = ef.omega(items, nfactors=1, n_boot=200, seed=1)
    seconds = time.perf_counter() - start
    print(f"omega_total {res.omega_total:.6f}")
    print(res.ci)
    return seconds


def main(argv: list[str]) -> None:
    """Dispatch on the first argument: ``data``, ``alpha`` or ``omega``."""
    what = argv[0] if argv else "data"
    if what == "data":
        write_data()
    elif what == "alpha":
        print(f"seconds {time_alpha(int(argv[1]) if len(argv) > 1 else 1000):.1f}")
    elif what == "omega":
        print(f"seconds {time_omega():.1f}")
    else:
        raise SystemExit(f"unknown benchmark {what!r}: data, alpha or omega")


if __name__ == "__main__":
    main(sys.argv[1:])
