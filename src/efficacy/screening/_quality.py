"""What a report's data-quality section shows: counts, rules, and what exclusion changes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument import Instrument
from efficacy.results import Result, Summary
from efficacy.screening._result import ScreenResult


@dataclass(frozen=True, repr=False)
class DataQuality(Result):
    """A screen condensed for a report, with the effect of excluding flagged respondents.

    Attributes
    ----------
    n_obs, n_flagged
        Respondents screened and respondents flagged by at least one rule.
    counts
        Per rule: respondents with a value, the mean, respondents flagged, the rule.
    rules
        Per rule: the index, the rule in words, the cut-off and its source.
    effect
        Per scale: ``alpha_all`` and ``alpha_kept`` (Cronbach's alpha on every respondent
        and without the flagged ones), ``mean_all`` and ``mean_kept`` (mean scale score),
        their differences (kept minus all) and the respondents with a score.
    warnings
        The screen's warnings and any statistic that could not be computed.
    screen
        The full screen.
    """

    n_obs: int
    n_flagged: int
    counts: pd.DataFrame
    rules: pd.DataFrame
    effect: pd.DataFrame
    warnings: tuple[str, ...]
    screen: ScreenResult

    def to_frame(self) -> pd.DataFrame:
        """The effect of exclusion, one row per scale."""
        return self.effect

    def summary(self) -> Summary:
        """Warnings first, then the rules and the effect of excluding flagged respondents.

        Examples
        --------
        >>> import efficacy as ef
        >>> from efficacy.screening import data_quality
        >>> import warnings
        >>> data = ef.datasets.load("gse_demo")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     summary = data_quality(data, "gse", on_invalid="missing").summary()
        >>> summary.title  # doctest: +ELLIPSIS
        'DataQuality: ... of ... respondents flagged (...)'
        >>> summary.table.columns[:2].tolist()
        ['alpha_all', 'alpha_kept']
        """
        share = f"{self.n_flagged / max(self.n_obs, 1):.1%}"
        title = f"DataQuality: {self.n_flagged} of {self.n_obs} respondents flagged ({share})"
        rows = [
            ("respondents", str(self.n_obs)),
            ("flagged by at least one rule", f"{self.n_flagged} ({share})"),
        ]
        notes = [f"Warning: {w}" for w in self.warnings]
        for key in self.counts.index:
            row = self.counts.loc[key]
            if "n_computed" in row.index and pd.isna(row["n_computed"]):
                rows.append(
                    (str(key), f"{row['rule']}: not applicable (no {row['index']} in the data)")
                )
                continue
            flagged = "-" if pd.isna(row["n_flagged"]) else int(row["n_flagged"])
            rows.append((str(key), f"{row['rule']}: flagged {flagged}"))
            if key in self.rules.index and "source" in self.rules.columns:
                notes.append(f"Source of the {key} rule: {self.rules.loc[key, 'source']}")
        for scale, row in self.effect.iterrows():
            rows.append(
                (
                    f"{scale} without the flagged",
                    f"alpha {row['alpha_all']:.3f} -> {row['alpha_kept']:.3f}, "
                    f"mean {row['mean_all']:.3f} -> {row['mean_kept']:.3f} "
                    f"(n {int(row['n_all'])} -> {int(row['n_kept'])})",
                )
            )
        notes.append(
            "Excluding flagged respondents: Cronbach's alpha and the mean scale score on "
            "every respondent (all) and without the flagged ones (kept); the table below "
            "has them per scale."
        )
        return Summary(title, tuple(rows), tuple(notes), self.effect)


def data_quality(
    data: pd.DataFrame,
    instrument: str | Instrument,
    screen: ScreenResult | None = None,
    *,
    on_invalid: str = "raise",
    **screen_options: Any,
) -> DataQuality:
    """Screen ``data`` (or take a screen already made) and measure what exclusion changes.

    Parameters
    ----------
    data
        Raw responses, as for :func:`efficacy.score`.
    instrument
        The instrument scored in the report.
    screen
        A screen of ``data`` already made; ``None`` runs
        :func:`~efficacy.screening.screen` with ``screen_options``.
    on_invalid
        As in :func:`efficacy.score`, for the screen, the scores and alpha.
    **screen_options
        Passed to :func:`~efficacy.screening.screen` (``cutoffs``, ``duration``, ...).

    Returns
    -------
    DataQuality

    Examples
    --------
    >>> import warnings
    >>> import efficacy as ef
    >>> data = ef.datasets.load("gse_demo").filter(like="gse")
    >>> with warnings.catch_warnings(record=True) as caught:  # one scale: see dq.warnings
    ...     dq = data_quality(data, "gse", on_invalid="missing")
    >>> len(dq.warnings)
    4
    >>> dq.effect.columns.tolist()[:4]
    ['alpha_all', 'alpha_kept', 'alpha_change', 'mean_all']
    """
    import efficacy as ef
    from efficacy.scoring import InvalidResponseWarning

    inst = ef.load(instrument)
    screened_here = screen is None
    if screen is None:
        from efficacy.screening._screen import screen as run_screen

        screen = run_screen(data, inst, on_invalid=on_invalid, **screen_options)
    elif screen_options:
        raise DataError("give screen options or a screen, not both")
    if not screen.indices.index.equals(data.index):
        raise DataError("the screen was made on other rows than data (index differs)")
    keep = ~screen.flagged.to_numpy(dtype=bool)
    with warnings.catch_warnings():
        if screened_here:  # the screen above has just warned about the same invalid cells
            warnings.simplefilter("ignore", InvalidResponseWarning)
        scores = ef.score(data, inst, on_invalid=on_invalid)  # type: ignore[arg-type]
        items = ef.item_responses(data, inst, on_invalid=on_invalid)  # type: ignore[arg-type]
    notes = list(screen.warnings)
    rows = []
    for scale in inst.scales:
        columns = list(scale.items)
        alphas = []
        for subset in (items[columns], items.loc[keep, columns]):
            try:
                alphas.append(ef.alpha(subset).alpha)
            except DataError as exc:
                notes.append(f"alpha of {scale.id} not computed: {exc}")
                alphas.append(np.nan)
        all_scores = scores[scale.id]
        kept_scores = all_scores[keep]
        rows.append(
            {
                "alpha_all": alphas[0],
                "alpha_kept": alphas[1],
                "alpha_change": alphas[1] - alphas[0],
                "mean_all": float(all_scores.mean()),
                "mean_kept": float(kept_scores.mean()),
                "mean_change": float(kept_scores.mean()) - float(all_scores.mean()),
                "n_all": int(all_scores.notna().sum()),
                "n_kept": int(kept_scores.notna().sum()),
            }
        )
    effect = pd.DataFrame(rows, index=pd.Index(list(inst.scale_ids), name="scale"))
    return DataQuality(
        n_obs=screen.n_obs,
        n_flagged=screen.n_flagged,
        counts=screen.counts(),
        rules=screen.rules,
        effect=effect,
        warnings=tuple(notes),
        screen=screen,
    )
