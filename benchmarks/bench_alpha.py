"""Speed and memory of ``ef.alpha`` against ``np.cov``, pingouin and R psych.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_alpha

Writes ``benchmarks/results/alpha.md``. Timings are the best of interleaved repeats
(the machine may be shared); R psych is timed inside R with ``system.time`` on the
same data, written to a CSV first, when ``Rscript`` and psych are installed.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import efficacy as ef

RESULTS = Path(__file__).parent / "results" / "alpha.md"
COMMAND = ".venv/bin/python -m benchmarks.bench_alpha"
REPEATS = 7


def likert(rng: np.random.Generator, n: int, k: int, missing: float = 0.0) -> np.ndarray:
    x = np.clip(np.rint(3 + rng.normal(size=(n, 1)) + rng.normal(size=(n, k))), 1, 5)
    if missing:
        x[rng.random(x.shape) < missing] = np.nan
    return x


def best_of(cases: dict[str, Callable[[], object]], repeats: int = REPEATS) -> dict[str, dict]:
    """Interleave the cases ``repeats`` times; min and median seconds of each."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {n: {"min": min(t), "median": float(np.median(t))} for n, t in times.items()}


def peak_memory(run: Callable[[], object]) -> float:
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(
        ["Rscript", "-e", "library(psych)"], capture_output=True, text=True, check=False
    )
    return done.returncode == 0


def r_seconds(x: np.ndarray, call: str, repeats: int = 3) -> float | None:
    """Best elapsed seconds of ``call`` (on data frame ``x``) inside R."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        pd.DataFrame(x, columns=[f"v{j + 1}" for j in range(x.shape[1])]).to_csv(
            path, index=False, na_rep="NA"
        )
        script = f"""
suppressPackageStartupMessages(library(psych))
x <- read.csv("{path}")
t <- sapply(1:{repeats}, function(i)
  system.time(suppressWarnings(suppressMessages({call})))[["elapsed"]])
cat(min(t), "\\n")
"""
        done = subprocess.run(
            ["Rscript", "-e", script], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    return float(done.stdout.split()[-1])


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f} ms"


def main() -> None:
    import pingouin

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(2024)
    with_r = r_available()
    lines: list[str] = []
    add = lines.append

    add("# alpha benchmarks\n")
    add(f"Command: `{COMMAND}`\n")
    add(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pingouin {pingouin.__version__}, efficacy {ef.__version__}."
    )
    if with_r:
        version = subprocess.run(
            ["Rscript", "-e", 'cat(R.version.string, "psych", format(packageVersion("psych")))'],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        add(f"R: {version} (timed inside R with `system.time`, best of 3).")
    add(
        f"\nTimes are the best of {REPEATS} interleaved repeats (median in brackets); the"
        " machine may be shared with other work, so medians are noisy.\n"
    )

    # 1. 1,000,000 x 10, complete and with 1% missing cells
    n, k = 1_000_000, 10
    for label, share in (("complete", 0.0), ("1% cells missing, pairwise", 0.01)):
        x = likert(rng, n, k, share)
        frame = pd.DataFrame(x, columns=[f"q{j + 1}" for j in range(k)])
        cases = {
            "np.cov(x, rowvar=False)": lambda x=x: np.cov(x, rowvar=False),
            "ef.alpha(array)": lambda x=x: ef.alpha(x),
            "ef.alpha(DataFrame)": lambda f=frame: ef.alpha(f),
            "pingouin.cronbach_alpha(DataFrame)": lambda f=frame: pingouin.cronbach_alpha(f),
        }
        timing = best_of(cases)
        base = timing["np.cov(x, rowvar=False)"]["min"]
        add(f"## {n:,} x {k}, {label}\n")
        add("Full alpha: total row, item statistics, alpha-if-deleted family, response")
        add("frequencies and the Feldt interval.\n")
        add("| what | time | vs np.cov |")
        add("| --- | --- | --- |")
        for name, t in timing.items():
            add(f"| {name} | {fmt(t['min'])} ({fmt(t['median'])}) | {t['min'] / base:.2f}x |")
        if with_r:
            seconds = r_seconds(x, "alpha(x)")
            ratio = "" if seconds is None else f"{seconds / base:.1f}x"
            add(f"| R psych::alpha(x) | {fmt(seconds)} | {ratio} |")
        add("")
        if share == 0.0:
            ours = peak_memory(lambda x=x: ef.alpha(x))
            cov = peak_memory(lambda x=x: np.cov(x, rowvar=False))
            add(
                f"Peak memory (tracemalloc) beyond the 80 MB input: ef.alpha {ours:.1f} MiB,"
                f" np.cov {cov:.1f} MiB.\n"
            )

    # 2. bootstrap on 2,800 x 25
    add("## Bootstrap, 1,000 resamples, 2,800 x 25\n")
    add("| data | ci | ef.alpha | R psych::alpha(n.iter=1000) |")
    add("| --- | --- | --- | --- |")
    for label, share in (("complete", 0.0), ("1% cells missing, pairwise", 0.01)):
        x = likert(rng, 2800, 25, share)
        timing = best_of(
            {
                ci: lambda x=x, ci=ci: ef.alpha(x, ci=ci, n_boot=1000, seed=1)
                for ci in ("bootstrap", "bca")
            },
            repeats=5,
        )
        r_time = r_seconds(x, "alpha(x, n.iter=1000)", repeats=1) if with_r else None
        for ci, t in timing.items():
            r_cell = fmt(r_time) if ci == "bootstrap" else ""
            add(f"| {label} | {ci} | {fmt(t['min'])} ({fmt(t['median'])}) | {r_cell} |")
    add("")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
