"""Large files: Parquet, lazy reads into dask, and CSV scored in chunks of rows."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyarrow")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import efficacy as ef  # noqa: E402
import efficacy.distributed._stream as stream  # noqa: E402
from efficacy.cli import main  # noqa: E402
from efficacy.errors import DataError, InvalidResponseError  # noqa: E402
from efficacy.io._large import csv_chunks  # noqa: E402


def _gse(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({f"gse{i}": rng.integers(1, 5, size=n).astype(float) for i in range(1, 11)})
    return data.mask(rng.random(data.shape) < 0.02)


def test_read_parquet_keeps_types_and_rows(tmp_path):
    data = _gse(50).assign(id=[f"{i:03d}" for i in range(50)])
    data.to_parquet(tmp_path / "d.parquet")
    frame = ef.read(tmp_path / "d.parquet")
    pd.testing.assert_frame_equal(frame, data)
    assert frame.attrs["efficacy_source"]["format"] == "parquet"
    assert frame["id"].iloc[7] == "007"
    with pytest.raises(DataError, match="delimiter"):
        ef.read(tmp_path / "d.parquet", delimiter=";")


def test_lazy_parquet_folder_has_global_row_labels(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = [_gse(300, seed) for seed in range(3)]
    for number, part in enumerate(parts):
        table = pa.Table.from_pandas(part, preserve_index=False)
        pq.write_table(table, tmp_path / f"part{number}.parquet", row_group_size=120)
    lazy = ef.read(tmp_path, lazy=True)
    assert isinstance(lazy, dd.DataFrame)
    assert lazy.npartitions == 9  # three row groups per file
    whole = pd.concat(parts, ignore_index=True)
    with dask.config.set(scheduler="synchronous"):
        pd.testing.assert_frame_equal(lazy.compute(), whole)
        expected = ef.score(whole, "gse")
        expected.attrs = {}
        pd.testing.assert_frame_equal(ef.score(lazy, "gse").compute(), expected)


def test_lazy_csv_glob_names_file_and_record(tmp_path):
    first, second = _gse(20, 1), _gse(30, 2).astype(object)
    second.iloc[3, 4] = 7
    first.to_csv(tmp_path / "a.csv", index=False)
    second.to_csv(tmp_path / "b.csv", index=False)
    lazy = ef.read(str(tmp_path / "*.csv"), lazy=True)
    assert lazy.npartitions == 2
    with dask.config.set(scheduler="synchronous"), pytest.raises(InvalidResponseError) as error:
        ef.score(lazy, "gse")
    assert "rows ['b.csv:3']" in str(error.value)
    with pytest.raises(DataError, match="missing"):
        ef.read(str(tmp_path / "*.csv"), lazy=True, missing=[9])
    with pytest.raises(DataError, match="no such file"):
        ef.read(str(tmp_path / "*.sav"), lazy=True)


def test_csv_chunks_label_rows_over_the_whole_file(tmp_path):
    path = tmp_path / "d.csv"
    _gse(25).to_csv(path, index=False)
    chunks = list(csv_chunks(path, chunk_rows=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert chunks[2].index.tolist() == list(range(20, 25))
    with pytest.raises(DataError, match="chunk_rows"):
        next(csv_chunks(path, chunk_rows=0))


def _cli(args, monkeypatch, threshold, capsys):
    monkeypatch.setattr(stream, "STREAM_BYTES", threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(args)
    return code, capsys.readouterr()


def test_cli_score_in_chunks_writes_what_reading_whole_writes(tmp_path, monkeypatch, capsys):
    data = _gse(2500).assign(id=[f"p{i:05d}" for i in range(2500)])
    data.to_csv(tmp_path / "d.csv", index=False)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 700)
    args = ["score", "gse", str(tmp_path / "d.csv"), "--keep", "id", "-o"]
    code, err = _cli([*args, str(tmp_path / "whole.csv")], monkeypatch, 1 << 40, capsys)
    assert code == 0
    code, err = _cli([*args, str(tmp_path / "chunks.csv")], monkeypatch, 0, capsys)
    assert code == 0
    assert "wrote 2500 rows" in err.err
    whole = (tmp_path / "whole.csv").read_text()
    assert (tmp_path / "chunks.csv").read_text() == whole
    code, out = _cli(args[:-1], monkeypatch, 0, capsys)  # to standard output
    assert code == 0
    assert out.out.splitlines()[2500].startswith("2499,p02499,")


def test_cli_score_in_chunks_stops_at_invalid_cells_without_output(tmp_path, monkeypatch, capsys):
    data = _gse(2000).astype(object)
    data.iloc[1500, 2] = 8
    data.to_csv(tmp_path / "d.csv", index=False)
    output = tmp_path / "out.csv"
    code, err = _cli(
        ["score", "gse", str(tmp_path / "d.csv"), "-o", str(output)], monkeypatch, 0, capsys
    )
    assert code != 0
    assert "rows [1500]" in err.err
    assert not output.exists()


@pytest.mark.parametrize(("chunk_rows", "bounded"), [(2_000, True), (20_000, False)])
def test_score_in_chunks_memory_is_bounded_by_the_chunk(tmp_path, chunk_rows, bounded):
    """Peak traced memory stays under 3 MB in chunks of 2,000 rows; the whole file at
    once (20,000 rows, about 13 MB as text cells) does not: the bound measures something."""
    path = tmp_path / "big.csv"
    _gse(20_000).to_csv(path, index=False)
    output = tmp_path / "out.csv"

    class Replaced:
        def __init__(self, target: str) -> None:
            self.target = target

        def __enter__(self) -> str:
            return self.target

        def __exit__(self, *exc: object) -> None:
            return None

    tracemalloc.start()
    try:
        rows = stream.score_in_chunks(
            str(path), "gse", str(output), replaced=Replaced, chunk_rows=chunk_rows
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 20_000
    assert (peak < 3e6) == bounded, f"peak {peak / 1e6:.1f} MB"
