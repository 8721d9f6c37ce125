"""Clinical significance (Jacobson & Truax 1991): reliable change plus
crossing the cut-off into the functional range."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.instrument._model import Instrument
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms._input import (
    instrument_of,
    norm_table,
    single_group,
)
from efficacy.norms._reliable_change import (
    DETERIORATED,
    IMPROVED,
    Method,
    ReliableChange,
    positive_number,
    reliable_change,
    repr_without_none,
)
from efficacy.results import Result, Summary, format_value

CS_CATEGORIES = ("deteriorated", "unchanged", "improved", "recovered")


@dataclass(frozen=True, repr=False)
class ClinicalSignificance(Result):
    """Reliable change combined with a cutoff (Jacobson & Truax, 1991).

    ``persons`` (and ``to_frame()``): pre, post, change, rci, reliable_change (the
    RCI category), clinical_pre (pre on the dysfunctional side of the cutoff),
    functional_post (post on the functional side) and category: ``recovered``
    (reliably improved, from the dysfunctional to the functional side), ``improved``
    (reliably improved otherwise), ``unchanged``, ``deteriorated`` (reliably
    deteriorated).
    """

    cutoff_type: str
    cutoff: float
    higher_is_better: bool
    clinical_mean: float
    clinical_sd: float
    functional_mean: float | None
    functional_sd: float | None
    functional_source: str | None
    reliable_change: ReliableChange
    persons: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per person: the reliable change columns, the cutoff sides and the category."""
        return self.persons.copy()

    @property
    def counts(self) -> pd.Series:
        """Number of people per category (persons without both scores not counted)."""
        return self.persons["category"].value_counts(sort=False).reindex(list(CS_CATEGORIES))

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return repr_without_none(self)

    def summary(self) -> Summary:
        """The cutoff and where it came from, the reliable-change criterion, the counts.

        Examples
        --------
        >>> import efficacy as ef
        >>> res = ef.clinical_significance([18.0, 19.0], [31.0, 24.0], clinical_mean=20.0,
        ...     clinical_sd=5.0, functional_mean=29.59, functional_sd=5.29, reliability=0.86)
        >>> print(res.summary())  # doctest: +ELLIPSIS
        Clinical significance (cutoff c)
          persons ...
        """
        rc = self.reliable_change
        complete = self.persons["category"].notna()
        functional = (
            "not given"
            if self.functional_mean is None
            else f"M {format_value(self.functional_mean)}, SD {format_value(self.functional_sd)}"
            f" ({self.functional_source})"
        )
        rows = [
            ("persons", f"{int(complete.sum())} with pre and post"),
            ("cutoff", f"{format_value(self.cutoff)} (cutoff {self.cutoff_type})"),
            (
                "clinical population",
                f"M {format_value(self.clinical_mean)}, SD {format_value(self.clinical_sd)}",
            ),
            ("functional population", functional),
            ("RCI method", rc.method),
            ("RCI SD", f"{format_value(rc.sd)} ({rc.sd_source})"),
            ("reliability", f"{format_value(rc.reliability)} ({rc.reliability_source})"),
        ]
        if rc.threshold is not None:
            rows.append(("RCI threshold", f"a change of {format_value(rc.threshold)} raw points"))
        rows += [(str(name), str(int(n))) for name, n in self.counts.fillna(0).items()]
        notes = [
            "The RCI uses the clinical (pre-treatment) population's SD, as Jacobson & "
            "Truax (1991, p. 14) define it for clinical significance; reliable_change() "
            "called without sd= uses the reference population's SD, so the two "
            "thresholds differ when the SDs differ.",
        ]
        return Summary(
            f"Clinical significance (cutoff {self.cutoff_type})", tuple(rows), tuple(notes)
        )


def cutoff_value(
    kind: str,
    clinical_mean: float,
    clinical_sd: float,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    higher_is_better: bool = True,
) -> float:
    """Jacobson & Truax's (1991) cutoff a, b or c.

    a = M_clin ± 2·SD_clin (two SDs from the dysfunctional mean in the healthy
    direction); b = M_func ∓ 2·SD_func (two SDs from the functional mean towards the
    dysfunctional side); c = (SD_clin·M_func + SD_func·M_clin)/(SD_clin + SD_func), the
    point equally likely under both distributions' SD-weighted means.

    Examples
    --------
    >>> cutoff_value("c", 20.0, 5.0, 30.0, 4.0)  # (5*30 + 4*20)/(5 + 4)
    25.555555555555557
    >>> cutoff_value("a", 20.0, 5.0, higher_is_better=False)
    10.0
    """
    sign = 1.0 if higher_is_better else -1.0
    if kind == "a":
        return clinical_mean + sign * 2.0 * clinical_sd
    if functional_mean is None or functional_sd is None:
        raise DataError(
            f"cutoff {kind!r} needs the functional population's mean and SD "
            "(functional_mean=, functional_sd=, or instrument= with norm=)"
        )
    if kind == "b":
        return functional_mean - sign * 2.0 * functional_sd
    if kind == "c":
        return (clinical_sd * functional_mean + functional_sd * clinical_mean) / (
            clinical_sd + functional_sd
        )
    raise DataError(f"cutoff must be 'a', 'b' or 'c', got {kind!r}")


def clinical_significance(
    pre: Any,
    post: Any,
    *,
    clinical_mean: float,
    clinical_sd: float,
    functional_mean: float | None = None,
    functional_sd: float | None = None,
    cutoff: Literal["a", "b", "c"] = "c",
    sd: float | None = None,
    reliability: float | None = None,
    method: Method = "jacobson_truax",
    level: float = 0.95,
    instrument: str | Instrument | None = None,
    norm: str | NormTable | None = None,
    scale: Any = None,
    mean_pre: float | None = None,
    mean_post: float | None = None,
    sd_post: float | None = None,
    reliability_post: float | None = None,
    higher_is_better: bool | None = None,
) -> ClinicalSignificance:
    """Clinically significant change: reliable change plus crossing a cutoff.

    Parameters
    ----------
    pre, post
        As in :func:`reliable_change` (paired by index).
    clinical_mean, clinical_sd
        Mean and SD of the dysfunctional (clinical) population.
    functional_mean, functional_sd
        Mean and SD of the functional population, needed for cutoffs b and c.
        Default: the norm table's single or whole-sample group when ``instrument=``
        and ``norm=`` are given.
    cutoff
        ``"a"``, ``"b"`` or ``"c"`` (default; Jacobson & Truax's choice when both
        distributions are known); see :func:`cutoff_value`.
    sd
        SD for the RCI. Default ``clinical_sd``: the pre-treatment distribution is
        the clinical one (Jacobson & Truax, 1991, p. 14).
    reliability, method, level, instrument, norm, scale
        As in :func:`reliable_change`.
    mean_pre, mean_post, sd_post, reliability_post, higher_is_better
        As in :func:`reliable_change`.

    Returns
    -------
    ClinicalSignificance
        Per person (``to_frame()``): the RCI columns, ``clinical_pre``,
        ``functional_post`` and ``category``: recovered (reliably improved and moved
        from the dysfunctional side, strictly, to the functional side, strictly),
        improved, unchanged, deteriorated. A warning counts persons who started on
        the functional side (they cannot recover).

    Examples
    --------
    >>> import efficacy as ef
    >>> res = ef.clinical_significance(
    ...     [18.0, 19.0, 10.0], [31.0, 24.0, 20.0], clinical_mean=20.0, clinical_sd=5.0,
    ...     functional_mean=29.59, functional_sd=5.29, reliability=0.86)
    >>> round(res.cutoff, 4), res.to_frame()["category"].tolist()
    (24.6599, ['recovered', 'unchanged', 'improved'])
    """
    clinical_mean = _finite(clinical_mean, "clinical_mean")
    clinical_sd = positive_number(clinical_sd, "clinical_sd")
    inst = instrument_of(instrument)
    functional_source = None
    if functional_mean is not None or functional_sd is not None:
        if functional_mean is None or functional_sd is None:
            raise DataError("give both functional_mean= and functional_sd=")
        functional_mean = _finite(functional_mean, "functional_mean")
        functional_sd = positive_number(functional_sd, "functional_sd")
        functional_source = "given"
    elif inst is not None and norm is not None:
        table = norm_table(inst, norm)
        row = single_group(table)
        functional_mean = float(row.mean)
        functional_sd = None if row.sd is None else float(row.sd)
        functional_source = f"norm table {table.id} ({row.label}; {table.source})"
    if higher_is_better is None:
        higher_is_better = inst.higher_is_better if inst is not None else True
    value = cutoff_value(
        cutoff, clinical_mean, clinical_sd, functional_mean, functional_sd, higher_is_better
    )
    rc = reliable_change(
        pre,
        post,
        sd=clinical_sd if sd is None else sd,
        reliability=reliability,
        method=method,
        level=level,
        instrument=inst,
        norm=norm,
        scale=scale,
        mean_pre=mean_pre,
        mean_post=mean_post,
        sd_post=sd_post,
        reliability_post=reliability_post,
        higher_is_better=higher_is_better,
    )
    if sd is None:
        rc = _with_sd_source(rc, "clinical_sd (the pre-treatment, dysfunctional population)")
    persons = _categories(rc.persons, value, higher_is_better)
    return ClinicalSignificance(
        cutoff_type=cutoff,
        cutoff=value,
        higher_is_better=bool(higher_is_better),
        clinical_mean=clinical_mean,
        clinical_sd=clinical_sd,
        functional_mean=functional_mean,
        functional_sd=functional_sd,
        functional_source=functional_source,
        reliable_change=rc,
        persons=persons,
    )


def _with_sd_source(rc: ReliableChange, source: str) -> ReliableChange:
    fields = {name: getattr(rc, name) for name in rc.__dataclass_fields__}
    fields["sd_source"] = source
    return ReliableChange(**fields)


def _finite(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise DataError(f"{what} must be finite, got {value!r}")
    return number


def _categories(rc: pd.DataFrame, cutoff: float, higher_is_better: bool) -> pd.DataFrame:
    pre = rc["pre"].to_numpy(dtype=float)
    post = rc["post"].to_numpy(dtype=float)
    sign = 1.0 if higher_is_better else -1.0
    clinical_pre = sign * (pre - cutoff) < 0
    functional_post = sign * (post - cutoff) > 0
    missing = rc["category"].isna().to_numpy()
    improved = (rc["category"] == IMPROVED).to_numpy()
    deteriorated = (rc["category"] == DETERIORATED).to_numpy()
    recovered = improved & clinical_pre & functional_post
    codes = np.select([recovered, improved, deteriorated], [3, 2, 0], default=1)
    codes = np.where(missing, -1, codes)
    started_functional = ~clinical_pre & ~np.isnan(pre)
    if started_functional.any():
        rows = list(rc.index[started_functional])
        warnings.warn(
            f"{int(started_functional.sum())} persons started on the functional side of the "
            f"cutoff {cutoff:.4g} (rows {rows[:5]}{', ...' if len(rows) > 5 else ''}); they "
            "cannot be classed as recovered",
            UserWarning,
            stacklevel=3,
        )
    out = rc.rename(columns={"category": "reliable_change"})
    out["clinical_pre"] = pd.array(np.where(np.isnan(pre), None, clinical_pre), dtype="boolean")
    out["functional_post"] = pd.array(
        np.where(np.isnan(post), None, functional_post), dtype="boolean"
    )
    out["category"] = pd.Categorical.from_codes(codes, categories=list(CS_CATEGORIES))
    return out
