"""The result of a careless-responding screen."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from efficacy.results import Result

#: The per-respondent index columns, in the order ``to_frame`` shows them.
INDEX_COLUMNS = (
    "longstring",
    "longstring_avg",
    "irv",
    "mahalanobis",
    "mahalanobis_p",
    "even_odd",
    "psychsyn",
    "psychant",
    "person_total_r",
    "n_missing",
)


@dataclass(frozen=True, repr=False)
class ScreenResult(Result):
    """Careless-responding indices, flags and the rules that made them, per respondent.

    Attributes
    ----------
    indices
        One row per respondent (the data's index): ``longstring``, ``longstring_avg``,
        ``irv``, ``mahalanobis`` (D²), ``mahalanobis_p`` (chi-square upper tail, df =
        items), ``even_odd`` (careless sign: higher = more careless), ``psychsyn``,
        ``psychant``, ``person_total_r``, ``n_missing``, and, when given,
        ``failed_checks`` and ``seconds_per_item``.
    flags
        One boolean column ``<index>_flag`` per rule with a cut-off.
    flagged
        True where any rule fired.
    reasons
        The rules that fired, in words ("" when none).
    notes
        Why an index is NaN for the respondent ("" when every index was computed).
    rules
        One row per rule: ``index``, ``rule`` (in words), ``cutoff``, ``source``.
    warnings
        Indices that cannot inform on these data, and why.
    items
        The item columns screened, in order.
    factors
        The subscales used by even-odd, each in its declared item order.
    synonym_pairs, antonym_pairs
        The item pairs behind ``psychsyn`` and ``psychant``.
    antonym_source
        Where the antonym pairs came from: ``"correlation"``, ``"keyed"``,
        ``"declared"`` or ``"given"``.
    instruments
        Instrument ids screened (empty for a plain item frame).
    critval
        The correlation beyond which item pairs count as synonyms or antonyms.
    resample_na, seed
        Whether undefined psychsyn/psychant values were re-drawn (careless's
        ``resample_na``) and the seed used.
    """

    indices: pd.DataFrame
    flags: pd.DataFrame
    flagged: pd.Series
    reasons: pd.Series
    notes: pd.Series
    rules: pd.DataFrame
    warnings: tuple[str, ...]
    items: tuple[str, ...]
    factors: Mapping[str, tuple[str, ...]]
    synonym_pairs: tuple[tuple[str, str], ...]
    antonym_pairs: tuple[tuple[str, str], ...]
    antonym_source: str
    instruments: tuple[str, ...]
    critval: float
    resample_na: bool = False
    seed: int | None = None

    @property
    def n_obs(self) -> int:
        """Number of respondents screened."""
        return len(self.indices)

    @property
    def n_flagged(self) -> int:
        """Number of respondents with at least one flag."""
        return int(self.flagged.sum())

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return [
            ("n_obs", self.n_obs),
            ("n_flagged", self.n_flagged),
            ("n_items", len(self.items)),
            ("instruments", self.instruments),
            ("warnings", len(self.warnings)),
        ]

    def to_frame(self) -> pd.DataFrame:
        """One row per respondent: indices, ``<index>_flag`` columns, ``flagged``,
        ``reasons`` and ``notes``."""
        return pd.concat(
            [
                self.indices,
                self.flags,
                self.flagged.rename("flagged"),
                self.reasons.rename("reasons"),
                self.notes.rename("notes"),
            ],
            axis=1,
        )

    def counts(self) -> pd.DataFrame:
        """Per index: respondents with a value, its mean, and how many its rule flags."""
        rows = []
        for key in self.rules.index:
            column = self.rules.loc[key, "index"]
            values = self.indices.get(column)
            flag = f"{column}_flag"
            rows.append(
                {
                    "index": column,
                    "n_computed": None if values is None else int(values.notna().sum()),
                    "mean": None if values is None else float(values.mean()),
                    "n_flagged": int(self.flags[flag].sum()) if flag in self.flags else None,
                    "rule": self.rules.loc[key, "rule"],
                }
            )
        return pd.DataFrame(rows, index=pd.Index(list(self.rules.index), name="rule_key"))

    def summary(self) -> str:
        """Counts per index and flag, the cut-offs used with their sources, warnings."""
        what = ", ".join(self.instruments) if self.instruments else "item frame"
        lines = [
            f"Careless-responding screen: {self.n_obs} respondents, {len(self.items)} items "
            f"({what})",
            f"Flagged by at least one rule: {self.n_flagged} "
            f"({self.n_flagged / max(self.n_obs, 1):.1%})",
            "",
            "Rules (cut-off, source) and respondents flagged:",
        ]
        table = self.counts()
        for key in table.index:
            row = table.loc[key]
            if pd.isna(row["n_computed"]):
                lines.append(f"  {row['rule']}: not applicable (no {row['index']} in the data)")
                continue
            flagged = "" if pd.isna(row["n_flagged"]) else f"flagged {int(row['n_flagged'])}, "
            lines.append(f"  {row['rule']}: {flagged}computed for {int(row['n_computed'])}")
            lines.append(f"      source: {self.rules.loc[key, 'source']}")
        lines.append(
            f"Synonym pairs: {len(self.synonym_pairs)} (r > {self.critval:g}); antonym pairs: "
            f"{len(self.antonym_pairs)} ({self.antonym_source})"
        )
        if self.factors:
            lines.append("Even-odd subscales: " + ", ".join(self.factors))
        if self.resample_na:
            lines.append(f"psychsyn/psychant: undefined values re-drawn, seed {self.seed}")
        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        body = html.escape(self.summary()).replace("\n", "<br>")
        return f"<div><strong>{title}</strong><p>{body}</p></div>"
