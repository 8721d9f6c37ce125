"""Graded response model: fitting speed against the PyPI ``mirt`` package, and EAP scoring
speed against ``ef.score``.

1. Fit: 10 four-category items, 20,000 simulated respondents (seed 2026), fitted by
   ``efficacy.item_response.irt`` (EM, Newton steps, standard errors) and, when the environment
   variable ``MIRT_PYTHON`` names a Python with the PyPI ``mirt`` package, by
   ``mirt.fit_mirt(model="GRM", n_quadpts=61)`` in that Python (without and with
   standard errors). Both estimates are evaluated under the same marginal likelihood.
2. Scoring: 1,000,000 respondents x 10 GSE items (codes 1-4, 1% missing cells, as
   bench_scoring), ``ef.score(data, gse)`` against ``ef.score(data, inst, method="irt")`` (EAP
   from an ``irt:`` section). Runs alternate, best of 9.

Run: ``MIRT_PYTHON=/path/to/python .venv/bin/python -m benchmarks.bench_irt``
(writes benchmarks/irt_RESULTS.md). The mirt side alone, which needs only numpy:
``python benchmarks/bench_irt.py --pypi-mirt``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "irt_RESULTS.md"
N_FIT, N_ITEMS, N_SCORE = 20_000, 10, 1_000_000


def simulate(n: int = N_FIT, seed: int = 2026) -> np.ndarray:
    """Graded-model responses (0-based), 10 items with 4 categories."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.8, 2.2, N_ITEMS)
    d = np.sort(rng.uniform(-2.0, 2.0, (N_ITEMS, 3)), axis=1)[:, ::-1]
    theta = rng.normal(size=n)
    star = 1 / (1 + np.exp(-(a[None, :, None] * theta[:, None, None] + d[None, :, :])))
    return (rng.uniform(size=(n, N_ITEMS, 1)) < star).sum(axis=2)


def pypi_mirt() -> None:
    """Time the PyPI mirt package on the same data; print JSON (run in its Python)."""
    from importlib.metadata import version

    import mirt

    data = simulate()
    out = {"version": version("mirt")}
    for se in (False, True):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            res = mirt.fit_mirt(data, model="GRM", n_quadpts=61, compute_standard_errors=se)
            best = min(best, time.perf_counter() - start)
        out[f"seconds_se_{se}"] = best
    pars = res.model.parameters
    a = np.asarray(pars["discrimination"], dtype=float).ravel()
    b = np.asarray(pars["thresholds"], dtype=float)
    out["a"] = a.tolist()
    out["d"] = (-a[:, None] * b).tolist()
    out["reported_loglik"] = float(res.log_likelihood)
    out["iterations"] = int(res.n_iterations)
    print(json.dumps(out))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def timed(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process) of one call."""
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start, time.process_time() - start_cpu


def main() -> None:
    import pandas as pd

    import efficacy as ef
    from efficacy.item_response import irt

    def score_theta(data, inst):
        return ef.score(data, inst, method="irt")

    from efficacy.instrument import from_text
    from efficacy.item_response._estimate import MarginalLikelihood, quadrature

    data = simulate()
    frame = pd.DataFrame(data, columns=[f"i{j + 1}" for j in range(N_ITEMS)])
    model = irt(frame)
    fit_time = best_of(lambda: irt(frame), 3)
    nodes, weights = quadrature()
    lik = MarginalLikelihood(data, [4] * N_ITEMS, nodes, weights)
    mirt_line = ["PyPI mirt: not run (set MIRT_PYTHON to a Python with the mirt package)."]
    other = None
    if os.environ.get("MIRT_PYTHON"):
        run = subprocess.run(
            [os.environ["MIRT_PYTHON"], __file__, "--pypi-mirt"],
            capture_output=True,
            text=True,
            check=True,
        )
        other = json.loads(run.stdout.strip().splitlines()[-1])
        flat = np.concatenate([[a, *d] for a, d in zip(other["a"], other["d"], strict=True)])
        other_ll = lik.loglik(flat)
        mirt_line = [
            f"| PyPI mirt {other['version']} (Rust), no standard errors | "
            f"{other['seconds_se_False']:.2f} s | {other_ll:.4f} | "
            f"{other['iterations']} EM iterations |",
            f"| PyPI mirt {other['version']}, with standard errors | "
            f"{other['seconds_se_True']:.2f} s | {other_ll:.4f} | |",
        ]

    rng = np.random.default_rng(2026)
    values = rng.integers(1, 5, size=(N_SCORE, 10)).astype(float)
    values[rng.random(values.shape) < 0.01] = np.nan
    big = pd.DataFrame(values, columns=[f"gse{i}" for i in range(1, 11)])
    gse = ef.load("gse")
    calib = pd.DataFrame(simulate(5000, seed=7) + 1, columns=list(gse.item_ids))
    section = irt(calib, min=1, max=4).to_yaml("simulated", gse.citations[0].key, scale="gse")
    inst = from_text(gse.path.read_text() + "\nirt:\n" + _indent(section))
    ef.score(big.head(), gse)
    score_theta(big.head(), inst)
    plain, theta = float("inf"), float("inf")
    plain_cpu, theta_cpu = float("inf"), float("inf")
    load_before = os.getloadavg()
    for _ in range(9):
        wall, cpu = timed(lambda: ef.score(big, gse))
        plain, plain_cpu = min(plain, wall), min(plain_cpu, cpu)
        wall, cpu = timed(lambda: score_theta(big, inst))
        theta, theta_cpu = min(theta, wall), min(theta_cpu, cpu)
    load_after = os.getloadavg()

    lines = [
        "# IRT benchmarks",
        "",
        "Command: `MIRT_PYTHON=/tmp/mirtenv/bin/python .venv/bin/python -m benchmarks.bench_irt`",
        "(PyPI mirt installed in a scratch venv: `python3 -m venv /tmp/mirtenv && "
        "/tmp/mirtenv/bin/pip install mirt`; it is never a dependency).  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}",
        "",
        f"## Fit: graded model, {N_ITEMS} four-category items, {N_FIT:,} respondents",
        "",
        "Best of 3. Log-likelihood: the marginal likelihood on 61 nodes in [-6, 6] for "
        "each program's estimate.",
        "",
        "| program | time | log-likelihood | notes |",
        "|---|---|---|---|",
        f"| efficacy.item_response.irt (EM, Newton, standard errors) | {fit_time:.2f} s | "
        f"{model.log_likelihood:.4f} | {model.n_iter} EM iterations, {model.n_newton} "
        f"Newton steps, max step {model.max_step:.1e} |",
        *mirt_line,
        "",
        f"## EAP scoring, {N_SCORE:,} respondents x 10 GSE items (1% missing cells)",
        "",
        "Runs alternate; best of 9 (wall clock and, separately, CPU time of this process). "
        f"Load average (1, 5, 15 min) {_load(load_before)} before and "
        f"{_load(load_after)} after.",
        "",
        "| what | time | ratio | CPU time | ratio |",
        "|---|---|---|---|---|",
        f"| `ef.score(data, 'gse')` | {plain:.3f} s | 1.00 | {plain_cpu:.3f} s | 1.00 |",
        f'| `ef.score(data, inst, method="irt")` (EAP, theta/SE/T) | {theta:.3f} s | '
        f"{theta / plain:.2f} | {theta_cpu:.3f} s | {theta_cpu / plain_cpu:.2f} |",
        "",
        f"Target: at most 3x `ef.score`; measured {theta / plain:.2f}x "
        f"({theta_cpu / plain_cpu:.2f}x in CPU time).",
    ]
    if other is not None:
        lines.append(
            f"Fit target: no slower than PyPI mirt; measured {fit_time:.2f} s against "
            f"{other['seconds_se_False']:.2f} s (no SE) and {other['seconds_se_True']:.2f} s "
            "(with SE)."
        )
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.1f}" for x in load)


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


if __name__ == "__main__":
    if "--pypi-mirt" in sys.argv:
        pypi_mirt()
    else:
        main()
