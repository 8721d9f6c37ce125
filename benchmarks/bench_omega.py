"""Speed of ``ef.polychoric``, ``ef.omega`` and ``ef.fa`` against R psych.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_omega

Writes ``benchmarks/results/omega.md``. Data: the golden-test data set
(tests/fixtures/omega/items.csv, 2,800 respondents x 25 six-point items, 1.5 % of the
cells missing). Timings are the best of interleaved repeats (the machine may be shared);
R psych is timed inside R with ``system.time`` on the same CSV when ``Rscript`` and
psych are installed. pingouin has no factor analysis, omega or polychoric correlation;
pandas' Pearson ``DataFrame.corr()`` is listed as the floor every method starts from.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import efficacy as ef

DATA = Path(__file__).parents[1] / "tests" / "fixtures" / "omega" / "items.csv"
RESULTS = Path(__file__).parent / "results" / "omega.md"
COMMAND = ".venv/bin/python -m benchmarks.bench_omega"
REPEATS = 7


def best_of(cases: dict[str, Callable[[], object]], repeats: int = REPEATS) -> dict[str, dict]:
    """Interleave the cases ``repeats`` times; min and median seconds of each."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, run in cases.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {n: {"min": min(t), "median": float(np.median(t))} for n, t in times.items()}


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(
        ["Rscript", "-e", "library(psych); library(GPArotation)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def r_seconds(call: str, repeats: int = 3) -> float | None:
    """Best elapsed seconds of ``call`` (on data frame ``x`` read from DATA) inside R."""
    script = f"""
suppressPackageStartupMessages({{library(psych); library(GPArotation)}})
x <- read.csv("{DATA}")
t <- sapply(1:{repeats}, function(i)
  system.time(suppressWarnings(suppressMessages({call})))[["elapsed"]])
cat(min(t), "\\n")
"""
    done = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return None
    return float(done.stdout.split()[-1])


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    warnings.simplefilter("ignore")
    x = pd.read_csv(DATA)
    with_r = r_available()
    lines: list[str] = []
    add = lines.append

    add("# omega, fa and polychoric benchmarks\n")
    add(f"Command: `{COMMAND}`\n")
    add(
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"efficacy {ef.__version__}."
    )
    if with_r:
        version = subprocess.run(
            [
                "Rscript",
                "-e",
                'cat(R.version.string, "psych", format(packageVersion("psych")), '
                '"GPArotation", format(packageVersion("GPArotation")))',
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        add(f"R: {version} (timed inside R with `system.time`).")
    add(
        f"\nData: tests/fixtures/omega/items.csv, {x.shape[0]:,} x {x.shape[1]} six-point"
        " items, 1.5 % of the cells missing (pairwise deletion). Times are the best of"
        f" {REPEATS} interleaved repeats (median in brackets); the machine may be shared"
        " with other work, so medians are noisy. Targets: polychoric matrix and three-factor"
        " omega each under 0.5 s. fa and omega run their extraction from 10 starts by"
        " default (psych: one); `n_starts=1` rows show the cost of a single start.\n"
    )

    # 1. single analyses
    cases = {
        "pandas DataFrame.corr() (Pearson, floor)": lambda: x.corr(),
        "ef.polychoric(x)": lambda: ef.polychoric(x),
        "ef.omega(x, nfactors=1)": lambda: ef.omega(x),
        "ef.omega(x, nfactors=3)": lambda: ef.omega(x, nfactors=3),
        "ef.omega(x, nfactors=3, poly=True)": lambda: ef.omega(x, nfactors=3, poly=True),
        "ef.fa(x, 3) (minres, oblimin)": lambda: ef.fa(x, 3),
        "ef.fa(x, 3, fm='ml')": lambda: ef.fa(x, 3, fm="ml"),
        "ef.fa(x, 3, n_starts=1) (psych's start only)": lambda: ef.fa(x, 3, n_starts=1),
        "ef.omega(x, nfactors=3, n_starts=1)": lambda: ef.omega(x, nfactors=3, n_starts=1),
    }
    r_calls = {
        "ef.polychoric(x)": ("polychoric(x)", 3),
        "ef.omega(x, nfactors=1)": ("omega(x, 1, plot=FALSE)", 5),
        "ef.omega(x, nfactors=3)": ("omega(x, 3, plot=FALSE)", 5),
        "ef.omega(x, nfactors=3, poly=True)": ("omega(x, 3, poly=TRUE, plot=FALSE)", 3),
        "ef.fa(x, 3) (minres, oblimin)": ("fa(x, 3)", 5),
        "ef.fa(x, 3, fm='ml')": ("fa(x, 3, fm='ml')", 5),
    }
    timing = best_of(cases)
    add("## One analysis of 2,800 x 25\n")
    add("| what | efficacy | R psych | R call | R / efficacy |")
    add("| --- | --- | --- | --- | --- |")
    for name, t in timing.items():
        call, repeats = r_calls.get(name, (None, 0))
        seconds = r_seconds(call, repeats) if (with_r and call) else None
        ratio = "" if seconds is None else f"{seconds / t['min']:.1f}x"
        add(
            f"| {name} | {fmt(t['min'])} ({fmt(t['median'])}) | {fmt(seconds)} "
            f"| {'`' + call + '`' if call else ''} | {ratio} |"
        )
    add("")

    # 2. bootstrap
    add("## Bootstrap of omega (three factors), 2,800 x 25\n")
    add(
        "All replicates are analysed together (batched eigendecompositions, rotations and"
        " Brent searches), each from two starts (the full-sample solution and psych's);"
        " R psych runs one `omegah` per replicate.\n"
    )
    add("| what | time |")
    add("| --- | --- |")
    boot = best_of(
        {
            "ef.omega(x, 3, n_boot=100)": lambda: ef.omega(x, 3, n_boot=100, seed=1),
            "ef.omega(x, 3, n_boot=1000)": lambda: ef.omega(x, 3, n_boot=1000, seed=1),
        },
        repeats=3,
    )
    for name, t in boot.items():
        add(f"| {name} | {fmt(t['min'])} ({fmt(t['median'])}) |")
    poly_boot = best_of(
        {"ef.omega(x, 3, poly=True, n_boot=100)": lambda: ef.omega(x, 3, poly=True, n_boot=100)},
        repeats=1,
    )
    for name, t in poly_boot.items():
        add(f"| {name} | {fmt(t['min'])} |")
    if with_r:
        seconds = r_seconds("omega(x, 3, n.iter=100, plot=FALSE)", 1)
        add(f"| R psych `omega(x, 3, n.iter=100, plot=FALSE)` | {fmt(seconds)} |")
    add("")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
