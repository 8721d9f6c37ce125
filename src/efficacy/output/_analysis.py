"""Everything the report shows, computed once from responses coded once.

:func:`analyse` codes the responses once and computes the scores, the item frames as
answered and reverse-keyed, alpha and omega per scale, and the norm comparison. Alpha,
omega and the item statistics of a scale use the respondents who received a score on it
under the authors' missing-data rule, so that every table and figure of a scale rests on
the same sample as its score descriptives.

Omega's bootstrap interval is left out where the sample is so large that the interval
could not show anything at the report's precision (:func:`omega_bootstrap_note`); the
report then says so in place of the interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from efficacy.coefficients._scales import (
    MIN_ITEMS_OMEGA,
    InstrumentReliability,
    reliability_of_items,
)
from efficacy.coefficients.alpha_family._bootstrap import bootstrap_progress
from efficacy.coefficients.factor_analysis import omega as omega_of
from efficacy.instrument import Instrument
from efficacy.norms import compare_to_norm
from efficacy.output._steps import Steps
from efficacy.scoring import Columns, OnInvalid, code_responses, items_frame, scores_frame

#: Confidence-interval method of alpha in the report.
ALPHA_CI = "feldt"

#: Omega's bootstrap is left out when the half-width of its interval, predicted from
#: alpha's analytic standard error, is at most this: a quarter of the last digit the
#: report prints (two decimals).
BOOT_HALF_WIDTH = 0.0025


def omega_bootstrap_note(alpha_result: Any, level: float, n_boot: int) -> str | None:
    """Why the report leaves out omega's bootstrap for this sample, or None to run it.

    The bootstrap interval of omega total adds nothing when it is narrower than the
    precision the report prints (two decimals: steps of 0.01). Its half-width is
    predicted before any resampling as ``z * ASE``, with ``z`` the normal quantile of
    ``level`` and ASE the distribution-free standard error of alpha on the same
    respondents (Duhachek & Iacobucci, 2004; ``alpha_result.ase``). Both coefficients
    are smooth functions of the same covariance matrix; for one-factor data omega's
    bootstrap standard error is at most about alpha's (ratios 0.79 to 1.00 across
    loadings .1 to .9, 4 to 10 items, tested in the test suite). The bootstrap is left
    out when the predicted half-width is at most :data:`BOOT_HALF_WIDTH` (0.0025, a
    quarter of 0.01): even at twice alpha's standard error both ends of the interval
    would lie within 0.005 of omega, the rounding step of the printed estimate. For
    ten items with alpha near .85 that is from about 30,000 respondents on; with alpha
    near .70, about 110,000. An alpha without a finite standard error never skips the
    bootstrap.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> omega_bootstrap_note(SimpleNamespace(ase=0.0002, n_obs=1_000_000), 0.95, 200)[:41]
    'no bootstrap interval: with n = 1,000,000'
    >>> omega_bootstrap_note(SimpleNamespace(ase=0.005, n_obs=2_000), 0.95, 200) is None
    True
    """
    if n_boot <= 0:
        return None
    ase = float(getattr(alpha_result, "ase", float("nan")))
    half = float(ndtri(0.5 + level / 2)) * ase
    if not np.isfinite(half) or half > BOOT_HALF_WIDTH:
        return None
    return (
        f"no bootstrap interval: with n = {int(alpha_result.n_obs):,} the {level:.0%} "
        f"interval of ω would span only ±{half:.4f} (predicted from α's standard "
        f"error), less than the two decimals shown, so its {n_boot} bootstrap "
        "replicates were not run"
    )


@dataclass(frozen=True)
class Options:
    """What the caller of :func:`efficacy.report` chose."""

    columns: Columns = None
    coding: str | None = None
    on_invalid: OnInvalid = "raise"
    norm: str | None = None
    group: Any = None
    level: float = 0.95
    n_boot: int = 0
    seed: int = 0
    figure_format: str = "png"
    screen: bool | dict[str, Any] = True
    validity: bool = True


@dataclass(frozen=True)
class Analysis:
    """Every result the report shows, computed once.

    ``group`` is the grouping used for the norm comparison (given, or taken from the
    data's columns named like the norm table's grouping), and ``group_note`` says how it
    was chosen or why a grouped norm table was not used. ``omega_notes`` holds, per
    scale whose omega bootstrap was left out, the sentence saying why
    (:func:`omega_bootstrap_note`).
    """

    instrument: Instrument
    options: Options
    scores: pd.DataFrame
    raw_items: pd.DataFrame
    items: pd.DataFrame
    reliability: InstrumentReliability
    omegas: dict[str, Any]
    comparison: Any
    group: Any
    group_note: str | None
    omega_notes: dict[str, str] = field(default_factory=dict)

    @property
    def bootstrapped(self) -> bool:
        """Whether any scale's omega has a bootstrap interval."""
        return any(res.ci is not None for res in self.omegas.values())

    def bootstrap_text(self) -> str:
        """The bootstrap settings: replicates and seed, and where the bootstrap was left out.

        Empty when no bootstrap was asked for (``n_boot=0``).
        """
        if not self.options.n_boot:
            return ""
        settings = f"{self.options.n_boot} replicates, seed {self.options.seed}"
        if not self.omega_notes:
            return settings
        names = {scale.id: scale.name for scale in self.instrument.scales}
        skipped = "; ".join(f"{names[sid]}: {note}" for sid, note in self.omega_notes.items())
        if not self.bootstrapped:
            return skipped
        return f"{settings}; {skipped}"

    @property
    def info(self) -> dict[str, Any]:
        """The scores' provenance (``attrs["efficacy"]``)."""
        return self.scores.attrs.get("efficacy", {})

    def scored(self, scale_id: str) -> np.ndarray:
        """Which respondents have a score on ``scale_id``."""
        return self.scores[scale_id].notna().to_numpy()

    def scored_any(self) -> np.ndarray:
        """Which respondents have a score on at least one scale."""
        columns = [scale.id for scale in self.instrument.scales]
        return self.scores[columns].notna().any(axis=1).to_numpy()


def analyse(data: pd.DataFrame, inst: Instrument, options: Options, steps: Steps) -> Analysis:
    """Code the responses once and compute the report's results from them."""
    coded, mapping = code_responses(
        data, inst, options.columns, coding=options.coding, on_invalid=options.on_invalid
    )
    scores = scores_frame(coded, mapping, inst, data.index, coding=options.coding)
    raw_items = items_frame(coded, inst, data.index, reverse=False)
    items = items_frame(coded, inst, data.index, reverse=True)
    steps.step("scored")
    per_scale = {}
    omegas: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for scale in inst.scales:
        scored = items.loc[scores[scale.id].notna().to_numpy()]
        part = reliability_of_items(
            scored, inst, scales=[scale.id], omega=False, ci=ALPHA_CI, level=options.level
        )
        per_scale[scale.id] = part.scales[scale.id]
        if scale.n_items >= MIN_ITEMS_OMEGA:
            n_boot = options.n_boot
            note = omega_bootstrap_note(part.scales[scale.id].alpha, options.level, n_boot)
            if note is not None:
                notes[scale.id] = note
                n_boot = 0
            with bootstrap_progress(steps.enabled):
                omegas[scale.id] = omega_of(
                    scored.loc[:, list(scale.items)],
                    nfactors=1,
                    n_boot=n_boot,
                    seed=options.seed,
                    level=options.level,
                )
        steps.step(f"reliability {scale.id}")
    rel = InstrumentReliability(inst.id, per_scale, ALPHA_CI, options.level)
    group, group_note = _norm_grouping(inst, options, data)
    comparison = None
    if options.norm is not None:
        comparison = compare_to_norm(
            scores,
            inst,
            options.norm,
            group=group,
            group_data=data if group is not None else None,
            level=options.level,
        )
    steps.step("norms")
    return Analysis(
        inst, options, scores, raw_items, items, rel, omegas, comparison, group, group_note, notes
    )


def _norm_grouping(
    inst: Instrument, options: Options, data: pd.DataFrame
) -> tuple[Any, str | None]:
    """The grouping for the norm comparison, and a sentence on how it was chosen."""
    if options.norm is None:
        return None, None
    table = inst.norm(options.norm)
    if options.group is not None:
        return options.group, None
    present = [name for name in table.group_by if name in data.columns]
    if table.group_by and len(present) == len(table.group_by):
        names = ", ".join(table.group_by)
        return list(table.group_by), (
            f"The norm table {table.id} is grouped by {names}; each respondent was compared "
            f"with the norms of their own group, read from the data's column(s) {names}."
        )
    if not table.group_by:
        usable = [
            other
            for other in inst.norms
            if other.scale == table.scale
            and other.group_by
            and all(name in data.columns for name in other.group_by)
        ]
        if usable:
            listed = ", ".join(f"{o.id} (by {', '.join(o.group_by)})" for o in usable)
            return None, (
                f"The data hold the grouping columns of the norm tables {listed}; this "
                f"report uses the ungrouped table {table.id} as chosen. Choose a grouped "
                "table to compare each group with its own norms."
            )
    return None, None
