"""Fuzz: the CLI's row numbers are the lines on which each record starts in the file."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from efficacy.io._common import ReadWarning
from efficacy.io._files import read
from efficacy.io._lines import file_rows

cells = st.text(alphabet="ab \n,", min_size=0, max_size=6)
records = st.lists(st.tuples(cells, st.integers(0, 2)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(records=records, crlf=st.booleans())
def test_rows_name_the_line_each_record_starts_on(records, crlf):
    lines = ["id,note"]
    for i, (note, blanks) in enumerate(records):
        lines += [""] * blanks  # blank lines: skipped as records, counted as lines
        quoted = '"' + note + '"'
        lines.append(f"r{i},{quoted}")
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode())
        with warnings.catch_warnings():  # line breaks in quoted cells are warned about
            warnings.simplefilter("ignore", ReadWarning)
            data = read(path)
        found = file_rows(data, path)
        physical = path.read_bytes().decode().splitlines()
    assert found is not None
    numbers, word = found
    assert word == "lines" and len(numbers) == len(records)
    for i, line in enumerate(numbers):
        assert physical[line - 1].startswith(f"r{i},"), (i, line, physical)
