"""Output: APA tables (:mod:`efficacy.output.tables`), plots (:mod:`efficacy.output.plot`)
and the HTML report (:func:`report`)."""

from __future__ import annotations

from efficacy.output._report import Report, report

__all__ = ["Report", "report"]
