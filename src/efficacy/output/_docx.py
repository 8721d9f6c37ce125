"""The report as a Word document (python-docx): text, APA tables and figures."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from efficacy.errors import DataError

_ITALIC = re.compile(r"\*([^*]+)\*")


def _runs(paragraph: Any, text: str) -> None:
    """Add ``text`` to a paragraph, ``*...*`` spans in italics."""
    position = 0
    for match in _ITALIC.finditer(text):
        paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).italic = True
        position = match.end()
    paragraph.add_run(text[position:])


def _table(document: Any, table: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    headers, rows, aligns = table.cells()
    if table.number is not None:
        document.add_paragraph().add_run(f"Table {table.number}").bold = True
    document.add_paragraph().add_run(table.title).italic = True
    grid = document.add_table(rows=len(rows) + 1, cols=len(headers))
    for j, header in enumerate(headers):
        _runs(grid.cell(0, j).paragraphs[0], header)
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            paragraph = grid.cell(i, j).paragraphs[0]
            paragraph.add_run(text)
            if aligns[j] == "r":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        note = document.add_paragraph()
        note.add_run("Note. ").italic = True
        _runs(note, table.note)


def write_docx(report: Any, path: str | Path) -> Path:
    """Write ``report`` (a :class:`~efficacy.output.Report`) as a .docx file."""
    try:
        import docx
        from docx.shared import Inches
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Word export needs python-docx: pip install 'efficacy[report]'") from exc
    target = Path(path).expanduser()
    if target.suffix.lower() != ".docx":
        raise DataError(f"a Word report is written to a .docx file, got {target.name!r}")
    if not target.parent.is_dir():
        raise DataError(f"cannot write the report to {target}: no folder {target.parent}")
    document = docx.Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_heading("Method", level=1)
    document.add_paragraph(report.methods)
    document.add_heading("Tables", level=1)
    for table in report.tables:
        _table(document, table)
    document.add_heading("Figures", level=1)
    for figure in report.figures:
        document.add_paragraph().add_run(f"Figure {figure.number}").bold = True
        document.add_paragraph().add_run(figure.caption).italic = True
        document.add_picture(io.BytesIO(figure.png), width=Inches(6.0))
    document.add_heading("References", level=1)
    for reference in report.references:
        document.add_paragraph(reference)
    document.save(str(target))
    return target
