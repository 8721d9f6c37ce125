"""``efficacy score`` of a large CSV file, scored in chunks of rows: time and peak memory.

Writes a CSV of ``rows`` x 10 GSE items (codes 1-4, 1% blank cells, an id column),
generated in blocks of 1,000,000 rows, then runs ``efficacy score gse <file> -o
<output>`` in a fresh process and reads its peak resident memory from ``getrusage``
(children). The file is scored in chunks (it is above
:data:`efficacy.distributed._stream.STREAM_BYTES`), so memory does not grow with it.

Run: ``.venv/bin/python -m benchmarks.bench_dask_csv [rows]`` (default 20,000,000 rows,
about 0.5 GB; writes benchmarks/results/dask_csv.md). Needs twice the file's size of
free disk in the temporary folder.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results" / "dask_csv.md"
BLOCK = 1_000_000


def write_csv(path: Path, n_rows: int) -> None:
    rng = np.random.default_rng(7)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for start in range(0, n_rows, BLOCK):
            size = min(BLOCK, n_rows - start)
            block = pd.DataFrame(
                rng.integers(1, 5, size=(size, 10)).astype(float),
                columns=[f"gse{j}" for j in range(1, 11)],
            )
            block = block.mask(rng.random(block.shape) < 0.01).astype("Int64")
            block.insert(0, "id", np.arange(start, start + size))
            block.to_csv(handle, index=False, header=start == 0)


def main(n_rows: int = 20_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data, output = Path(folder) / "big.csv", Path(folder) / "scores.csv"
        write_csv(data, n_rows)
        size = data.stat().st_size
        efficacy = Path(sys.executable).parent / "efficacy"
        start = time.perf_counter()
        subprocess.run(
            [str(efficacy), "score", "gse", str(data), "--keep", "id", "-o", str(output)],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        with open(output, encoding="utf-8") as written:
            lines = sum(1 for _ in written) - 1
    text = (
        "# efficacy score of a large CSV, in chunks of rows\n\n"
        f"Command: `.venv/bin/python -m benchmarks.bench_dask_csv {n_rows}`.\n\n"
        "| rows | file (MB) | rows written | seconds | ns per row | peak resident memory (MB) |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {n_rows:,} | {size / 2**20:.0f} | {lines:,} | {seconds:.1f} | "
        f"{1e9 * seconds / n_rows:.0f} | {peak / 2**20:.0f} |\n"
    )
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000)
