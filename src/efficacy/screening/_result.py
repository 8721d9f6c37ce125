"""The result of a careless-responding screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from efficacy.results import Result, Summary

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
        present = [c for c in self.rules["index"] if c in self.indices]
        flags = [f for f in (f"{c}_flag" for c in self.rules["index"]) if f in self.flags]
        return counts_frame(
            self.rules,
            {c: int(self.indices[c].notna().sum()) for c in present},
            {c: float(self.indices[c].mean()) for c in present},
            {f: int(self.flags[f].sum()) for f in flags},
        )

    def summary(self) -> Summary:
        """Warnings first, then counts per rule with the cut-offs and their sources.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> import efficacy as ef
        >>> rng = np.random.default_rng(0)
        >>> items = pd.DataFrame(rng.integers(1, 5, size=(50, 10)), columns=list("abcdefghij"))
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # ten random items: several indices warn
        ...     summary = ef.screen(items, response_range=(1, 4)).summary()
        >>> summary.title
        'Careless-responding screen: 50 respondents, 10 items (item frame)'
        >>> dict(summary.rows)["respondents"]
        '50'
        """
        return screen_summary(self, self.n_obs, self.n_flagged, self.counts())


def counts_frame(
    rules: pd.DataFrame,
    n_computed: Mapping[str, int],
    means: Mapping[str, float],
    n_flagged: Mapping[str, int],
) -> pd.DataFrame:
    """The table of ``counts()``: one row per rule, from counts gathered however.

    ``n_computed`` and ``means`` hold the index columns present, ``n_flagged`` the
    ``<index>_flag`` columns present; the others show as missing (``None``).
    """
    rows = []
    for key in rules.index:
        column = rules.loc[key, "index"]
        flag = f"{column}_flag"
        rows.append(
            {
                "index": column,
                "n_computed": n_computed.get(column),
                "mean": means.get(column),
                "n_flagged": n_flagged.get(flag),
                "rule": rules.loc[key, "rule"],
            }
        )
    return pd.DataFrame(rows, index=pd.Index(list(rules.index), name="rule_key"))


def screen_summary(result: Any, n_obs: int, n_flagged: int, table: pd.DataFrame) -> Summary:
    """The summary of a screen (in memory or lazy) from its counts.

    ``result`` supplies the eager parts (rules, warnings, items, pairs, subscales).
    """
    what = ", ".join(result.instruments) if result.instruments else "item frame"
    title = f"Careless-responding screen: {n_obs} respondents, {len(result.items)} items ({what})"
    rows = [
        ("respondents", str(n_obs)),
        ("items", str(len(result.items))),
        (
            "flagged by at least one rule",
            f"{n_flagged} ({n_flagged / max(n_obs, 1):.1%})",
        ),
    ]
    notes = [f"Warning: {w}" for w in result.warnings]
    for key in table.index:
        row = table.loc[key]
        if pd.isna(row["n_computed"]):
            rows.append(
                (str(key), f"{row['rule']}: not applicable (no {row['index']} in the data)")
            )
            continue
        flagged = "" if pd.isna(row["n_flagged"]) else f"flagged {int(row['n_flagged'])}, "
        rows.append((str(key), f"{row['rule']}: {flagged}computed for {int(row['n_computed'])}"))
        notes.append(f"Source of the {key} rule: {result.rules.loc[key, 'source']}")
    rows += [
        ("synonym pairs", f"{len(result.synonym_pairs)} (r > {result.critval:g})"),
        ("antonym pairs", f"{len(result.antonym_pairs)} ({result.antonym_source})"),
    ]
    if result.factors:
        rows.append(("even-odd subscales", ", ".join(result.factors)))
    if result.resample_na:
        rows.append(("psychsyn/psychant", f"undefined values re-drawn, seed {result.seed}"))
    return Summary(title, tuple(rows), tuple(notes), table.drop(columns="rule"))
