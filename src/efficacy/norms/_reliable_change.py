"""Change: did a person's score really change, and did they cross into the healthy range?

:func:`reliable_change` computes each person's reliable change index (RCI) by one of
six classical methods and classes the change as reliably improved, unchanged or
reliably deteriorated. :func:`clinical_significance` adds Jacobson & Truax's (1991)
cutoff a, b or c and the combined categories recovered, improved, unchanged and
deteriorated.

The methods, with SD the pre-test (reference) SD, r the reliability,
``SE_m = SD·sqrt(1 − r)``, ``S_diff = sqrt(2·SE_m²)`` and ``SE_pred = SD·sqrt(1 − r²)``,
as implemented in the R package clinicalsignificance (``calc_rci.R``):

- ``jacobson_truax``: (post − pre)/S_diff (Jacobson & Truax, 1991; Christensen &
  Mendoza, 1986).
- ``gulliksen_lord_novick``: [(post − M_pre) − r(pre − M_pre)]/SE_pred (Hsu, 1989).
- ``hsu_linn_lord``: [(post − M_post) − r(pre − M_pre)]/SE_pred (Hsu, 1989).
- ``edwards_nunnally``: [post − (r(pre − M_pre) + M_pre)]/SE_m (Speer, 1992).
- ``nunnally_kotsch``: [post − (r(pre − M_pre) + M_pre)] /
  sqrt(r²·SD²·(1 − r) + SD²·(1 − r_post)) (Nunnally & Kotsch, 1983).
- ``hageman_arrindell``: [(post − pre)·r_dd + (M_post − M_pre)(1 − r_dd)] /
  sqrt(r_dd·2·SE_m²), with the reliability of the difference
  r_dd = (SD_pre²·r_xx1 + SD_post²·r_xx2 − 2·SD_pre·SD_post·r_12) /
  (SD_pre² + SD_post² − 2·SD_pre·SD_post·r_12), r_xx = (SD² − SE_m²)/SD² and r_12 the
  pre-post correlation of the data (Hageman & Arrindell, 1999). Its criterion is
  one-sided: the normal quantile of ``level`` (1.645 for 0.95).

The other methods' criterion is two-sided: ``scipy.stats.norm.ppf((1 + level)/2)``
(1.959964... for 0.95, never a rounded 1.96). A change counts as reliable when the
RCI lies strictly beyond the criterion in either direction.

References
----------
Christensen, L., & Mendoza, J. L. (1986). A method of assessing change in a single
subject: An alteration of the RC index. *Behavior Therapy*, 17(3), 305–308.

Hageman, W. J., & Arrindell, W. A. (1999). Establishing clinically significant change:
Increment of precision and the distinction between individual and group level
analysis. *Behaviour Research and Therapy*, 37(12), 1169–1193.

Hsu, L. M. (1989). Reliable changes in psychotherapy: Taking into account regression
toward the mean. *Behavioral Assessment*, 11(4), 459–467.

Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
defining meaningful change in psychotherapy research. *Journal of Consulting and
Clinical Psychology*, 59(1), 12–19. https://doi.org/10.1037/0022-006X.59.1.12

Nunnally, J. C., & Kotsch, W. E. (1983). Studies of individual subjects: Logic and
methods of analysis. *British Journal of Clinical Psychology*, 22(2), 83–93.

Speer, D. C. (1992). Clinically significant change: Jacobson and Truax (1991)
revisited. *Journal of Consulting and Clinical Psychology*, 60(3), 402–408.

Examples
--------
>>> import pandas as pd
>>> import efficacy as ef
>>> pre = pd.Series([22.0, 30.0, 31.0], index=["ann", "bob", "cy"])
>>> post = pd.Series([33.0, 31.0, 22.0], index=["ann", "bob", "cy"])
>>> res = ef.reliable_change(pre, post, sd=5.29, reliability=0.86)
>>> res.to_frame().round(3)
      pre  post  change    rci               category
ann  22.0  33.0    11.0  3.930      reliably improved
bob  30.0  31.0     1.0  0.357              unchanged
cy   31.0  22.0    -9.0 -3.215  reliably deteriorated
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from efficacy.errors import DataError
from efficacy.instrument._model import Instrument
from efficacy.instrument._norm_yaml import NormTable
from efficacy.item_response import ThetaChange, reliable_change_theta
from efficacy.norms._input import (
    Scores,
    align,
    check_level,
    check_metric,
    check_reliability,
    instrument_of,
    norm_table,
    published_reliability,
    scores_of,
    single_group,
)
from efficacy.results import Result, Summary, format_value

Method = Literal[
    "jacobson_truax",
    "gulliksen_lord_novick",
    "hsu_linn_lord",
    "edwards_nunnally",
    "nunnally_kotsch",
    "hageman_arrindell",
    "irt",
]
# the classical-test-theory methods: every Method but "irt"
METHODS: tuple[str, ...] = tuple(m for m in get_args(Method) if m != "irt")

IMPROVED = "reliably improved"
UNCHANGED = "unchanged"
DETERIORATED = "reliably deteriorated"
RC_CATEGORIES = (DETERIORATED, UNCHANGED, IMPROVED)


def repr_without_none(result: Result) -> list[tuple[str, Any]]:
    return [(name, value) for name, value in Result._repr_fields(result) if value is not None]


@dataclass(frozen=True, repr=False)
class ReliableChange(Result):
    """Reliable change per person, and what it was computed from.

    ``persons`` (and ``to_frame()``) has one row per person: pre, post, change
    (post − pre), rci and category. ``standard_error`` is the RCI's denominator;
    ``threshold`` the smallest raw change that is reliable (Jacobson–Truax only,
    ``critical_value·S_diff``). The ``*_source`` fields say where SD, reliability
    and means came from.
    """

    method: str
    level: float
    critical_value: float
    sided: str
    higher_is_better: bool
    sd: float
    sd_source: str
    reliability: float
    reliability_source: str
    standard_error: float
    persons: pd.DataFrame
    threshold: float | None = None
    mean_pre: float | None = None
    mean_post: float | None = None
    means_source: str | None = None
    sd_post: float | None = None
    reliability_post: float | None = None
    r_pre_post: float | None = None
    r_dd: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """Per person: pre, post, change, rci, category."""
        return self.persons.copy()

    @property
    def counts(self) -> pd.Series:
        """Number of people per category (persons without both scores not counted)."""
        return self.persons["category"].value_counts(sort=False).reindex(list(RC_CATEGORIES))

    def rci_of(self, label: Any) -> float:
        """The RCI of the person labelled ``label``."""
        return float(self.persons.loc[label, "rci"])

    def _repr_fields(self) -> list[tuple[str, Any]]:
        return repr_without_none(self)

    def summary(self) -> Summary:
        """Method, SD and reliability with their sources, the threshold, and the counts.

        Examples
        --------
        >>> import efficacy as ef
        >>> rc = ef.reliable_change([20.0, 25.0], [30.0, 26.0], sd=5.3, reliability=0.86)
        >>> print(rc.summary())  # doctest: +ELLIPSIS
        Reliable change (jacobson_truax)
          persons ...
        """
        complete = self.persons["category"].notna()
        rows = [
            ("persons", f"{int(complete.sum())} with pre and post"),
            ("method", self.method),
            ("SD", f"{format_value(self.sd)} ({self.sd_source})"),
            ("reliability", f"{format_value(self.reliability)} ({self.reliability_source})"),
            ("standard error", format_value(self.standard_error)),
            (
                "criterion",
                f"|RCI| > {format_value(self.critical_value)} ({self.sided}, "
                f"level {format_value(self.level)})",
            ),
        ]
        if self.threshold is not None:
            rows.append(("threshold", f"a change of {format_value(self.threshold)} raw points"))
        rows += [(str(name), str(int(n))) for name, n in self.counts.fillna(0).items()]
        notes = [
            "The SD is that of the pre-test scores in the reference population "
            "(Jacobson & Truax, 1991); clinical_significance() uses the clinical "
            "sample's pre-treatment SD instead, so its threshold differs when the two "
            "SDs differ.",
        ]
        dropped = int((~complete).sum())
        if dropped:
            people = "person" if dropped == 1 else "persons"
            notes.append(f"{dropped} {people} without both scores are not classified.")
        return Summary(f"Reliable change ({self.method})", tuple(rows), tuple(notes))


# ------------------------------------------------------------------------ input


def _pair(
    pre: Any, post: Any, scale: Any, default: Any
) -> tuple[Scores, Scores, pd.Series, pd.Series]:
    first = scores_of(pre, scale, default, "pre")
    second = scores_of(post, scale, default, "post")
    a, b = first.values, second.values
    pandas_pre = isinstance(pre, pd.Series | pd.DataFrame)
    pandas_post = isinstance(post, pd.Series | pd.DataFrame)
    if pandas_pre and pandas_post:
        b = align(a, b, ("pre", "post"))
    else:
        if len(a) != len(b):
            raise DataError(f"pre has {len(a)} scores and post {len(b)}; they must pair up")
        if pandas_post and not pandas_pre:
            a = pd.Series(a.to_numpy(), index=b.index)
        else:
            b = pd.Series(b.to_numpy(), index=a.index)
    if first.method and second.method and first.method != second.method:
        raise DataError(
            f"pre were scored as {first.method} scores and post as {second.method} scores "
            "(attrs['efficacy']); score both the same way"
        )
    return first, second, a, b


def _defaults(
    instrument: Instrument | None,
    norm: str | NormTable | None,
    scale: Any,
    first: Scores,
    second: Scores,
) -> tuple[NormTable | None, str | None]:
    if instrument is None:
        if norm is not None:
            raise DataError("norm= needs instrument=")
        return None, None
    scale_id = str(scale) if scale is not None else None
    if norm is None:
        return None, scale_id or instrument.scales[0].id
    table = norm_table(instrument, norm)
    for data, what in ((first, "pre"), (second, "post")):
        check_metric(data, instrument, table, what)
    return table, table.scale


def _resolve_sd(
    sd: Any, table: NormTable | None, instrument: Instrument | None, pre: np.ndarray
) -> tuple[float, str]:
    if sd is not None:
        value = positive_number(sd, "sd")
        return value, "given"
    if table is not None:
        row = single_group(table)
        if row.sd is None:
            raise DataError(
                f"norm table {table.id!r} ({row.label}) gives no SD; pass sd= (the SD of the "
                "pre-test scores in the reference population)"
            )
        return float(row.sd), f"norm table {table.id} ({row.label}; {table.source})"
    if instrument is not None:
        raise DataError(
            f"pass sd= or norm= (one of {[t.id for t in instrument.norms]}) for the SD of the "
            "reference population"
        )
    value = float(np.nanstd(pre, ddof=1)) if np.isfinite(pre).sum() > 1 else math.nan
    if not value > 0:
        raise DataError("sd= is needed: the pre-test scores have no spread to estimate it from")
    return value, "sample SD of the pre-test scores"


def positive_number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a positive number, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise DataError(f"{what} must be a positive number, got {value!r}")
    return number


def _resolve_reliability(
    reliability: Any, instrument: Instrument | None, scale_id: str | None
) -> tuple[float, str]:
    if reliability is not None:
        return check_reliability(reliability), "given"
    if instrument is None:
        raise DataError("reliability= is needed (or instrument= with a published reliability)")
    assert scale_id is not None
    return published_reliability(instrument, scale_id)


def _finite_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    both = np.isfinite(a) & np.isfinite(b)
    return a[both], b[both]


# ----------------------------------------------------------------- reliable change


def reliable_change(
    pre: Any,
    post: Any,
    *,
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
) -> ReliableChange | ThetaChange:
    """Reliable change index and category per person.

    Parameters
    ----------
    pre, post
        Scores at the two occasions: DataFrames from :func:`efficacy.score`
        (``scale=`` picks the column), Series or arrays. Pandas inputs pair up by
        index (labels in only one are an error naming them); arrays by position.
        A person with either score missing gets NaN and no category.
    sd
        SD of the pre-test scores in the reference population. Default: the norm
        table's SD (``norm=``, its single or whole-sample group) when an instrument
        is given, else the SD of the pre-test scores in the data (as Jacobson &
        Truax allow: "the pretreatment experimental group"); ``sd_source`` says which.
    reliability
        Reliability r. Default: the instrument's published value (alpha first); an
        instrument that publishes only a range (GSE) needs ``reliability=``.
    method
        One of ``jacobson_truax`` (default), ``gulliksen_lord_novick``,
        ``hsu_linn_lord``, ``edwards_nunnally``, ``nunnally_kotsch``,
        ``hageman_arrindell`` (formulas in the module documentation), or ``irt``:
        pre and post are trait scores with their own standard errors (from
        ``ef.score(..., method="irt")`` with ``scale=``, or a fitted model's
        ``scores()``), and each person's change is judged against
        ``sqrt(SE_pre^2 + SE_post^2)`` (Jabrayilov, Emons & Sijtsma, 2016); the
        result is a :class:`~efficacy.item_response.ThetaChange`.
    level
        Confidence level: two-sided criterion ``norm.ppf((1 + level)/2)``, one-sided
        ``norm.ppf(level)`` for Hageman–Arrindell.
    instrument, norm, scale
        The instrument (for defaults and the direction of improvement), one of its
        norm tables (for SD and the metric check) and the score column.
    mean_pre, mean_post, sd_post
        Means of the pre- and post-test populations (GLN, HLL, EN, NK, HA) and the
        post-test SD (HA). Default: the data's means and post-test SD.
    reliability_post
        Post-test reliability (NK). Default: ``reliability``.
    higher_is_better
        Whether a rise is an improvement. Default: the instrument's
        ``higher_is_better``, or True without an instrument.

    Returns
    -------
    ReliableChange
        ``to_frame()``: pre, post, change, rci, category per person; ``counts``.

    Raises
    ------
    DataError
        Unpaired labels, scores on different metrics, no usable SD or
        reliability, a reliability of the difference r_dd ≤ 0 (HA).

    Examples
    --------
    >>> import efficacy as ef
    >>> res = ef.reliable_change([24.0], [33.0], instrument="gse", norm="world2006",
    ...                          reliability=0.86)
    >>> round(res.rci_of(0), 4), round(res.threshold, 4), res.to_frame().category[0]
    (3.2152, 5.4863, 'reliably improved')
    """
    check_level(level)
    if method == "irt":
        inst = instrument_of(instrument)
        if higher_is_better is None:
            higher_is_better = inst.higher_is_better if inst is not None else True
        return reliable_change_theta(
            pre, post, scale=scale, level=level, higher_is_better=higher_is_better
        )
    if method not in METHODS:
        raise DataError(f"method must be one of {list(METHODS)}, got {method!r}")
    inst = instrument_of(instrument)
    default_scale = None
    if inst is not None:
        default_scale = (
            norm_table(inst, norm).scale if norm is not None else (scale or inst.scales[0].id)
        )
    first, second, a_series, b_series = _pair(pre, post, scale, default_scale)
    table, scale_id = _defaults(inst, norm, scale, first, second)
    a = a_series.to_numpy(dtype=float)
    b = b_series.to_numpy(dtype=float)
    s, sd_source = _resolve_sd(sd, table, inst, a)
    r, rel_source = _resolve_reliability(reliability, inst, scale_id)
    if higher_is_better is None:
        higher_is_better = inst.higher_is_better if inst is not None else True
    pa, pb = _finite_pairs(a, b)
    extra: dict[str, Any] = {}
    se_m = s * math.sqrt(1.0 - r)
    s_diff = math.sqrt(2.0) * se_m
    needs_means = method != "jacobson_truax"
    m_pre = m_post = math.nan
    if needs_means:
        m_pre = _mean(mean_pre, pa, "mean_pre")
        m_post = _mean(mean_post, pb, "mean_post")
        extra.update(mean_pre=m_pre, means_source=_means_source(mean_pre, mean_post, method))
        if method in ("hsu_linn_lord", "hageman_arrindell"):
            extra["mean_post"] = m_post
    pre_true = r * (a - m_pre) + m_pre
    if method == "jacobson_truax":
        se = s_diff
        rci = (b - a) / se
    elif method == "gulliksen_lord_novick":
        se = s * math.sqrt(1.0 - r**2)
        rci = ((b - m_pre) - r * (a - m_pre)) / se
    elif method == "hsu_linn_lord":
        se = s * math.sqrt(1.0 - r**2)
        rci = ((b - m_post) - r * (a - m_pre)) / se
    elif method == "edwards_nunnally":
        se = se_m
        rci = (b - pre_true) / se
    elif method == "nunnally_kotsch":
        r_post = (
            r
            if reliability_post is None
            else check_reliability(reliability_post, "reliability_post")
        )
        se = math.sqrt(r**2 * s**2 * (1.0 - r) + s**2 * (1.0 - r_post))
        rci = (b - pre_true) / se
        extra["reliability_post"] = r_post
    else:
        s_post = _sd_post(sd_post, pb)
        r12 = _correlation(pa, pb)
        r_xx1 = (s**2 - se_m**2) / s**2
        r_xx2 = (s_post**2 - se_m**2) / s_post**2
        covariance = 2.0 * s * s_post * r12
        r_dd = (s**2 * r_xx1 + s_post**2 * r_xx2 - covariance) / (s**2 + s_post**2 - covariance)
        if not r_dd > 0:
            raise DataError(
                f"the reliability of the difference scores r_dd = {r_dd:.4g} is not positive "
                f"(pre-post correlation {r12:.4g}, reliability {r:g}): the Hageman-Arrindell "
                "index is undefined"
            )
        se = math.sqrt(r_dd) * s_diff
        rci = ((b - a) * r_dd + (m_post - m_pre) * (1.0 - r_dd)) / se
        extra.update(sd_post=s_post, r_pre_post=r12, r_dd=r_dd)
    one_sided = method == "hageman_arrindell"
    crit = float(stats.norm.ppf(level if one_sided else (1.0 + level) / 2.0))
    if method == "jacobson_truax":
        extra["threshold"] = crit * s_diff
    persons = _persons(a_series, b, rci, crit, higher_is_better)
    return ReliableChange(
        method=method,
        level=level,
        critical_value=crit,
        sided="one-sided" if one_sided else "two-sided",
        higher_is_better=bool(higher_is_better),
        sd=s,
        sd_source=sd_source,
        reliability=r,
        reliability_source=rel_source,
        standard_error=se,
        persons=persons,
        **extra,
    )


def _persons(
    pre: pd.Series, post: np.ndarray, rci: np.ndarray, crit: float, higher_is_better: bool
) -> pd.DataFrame:
    a = pre.to_numpy(dtype=float)
    direction = 1.0 if higher_is_better else -1.0
    signed = direction * rci
    codes = np.where(signed > crit, 2, np.where(signed < -crit, 0, 1))
    codes = np.where(np.isnan(rci), -1, codes)
    category = pd.Categorical.from_codes(codes, categories=list(RC_CATEGORIES))
    return pd.DataFrame(
        {"pre": a, "post": post, "change": post - a, "rci": rci, "category": category},
        index=pre.index,
    )


def _mean(given: Any, values: np.ndarray, what: str) -> float:
    if given is not None:
        try:
            number = float(given)
        except (TypeError, ValueError):
            raise DataError(f"{what} must be a number, got {given!r}") from None
        if not math.isfinite(number):
            raise DataError(f"{what} must be finite, got {given!r}")
        return number
    if values.size == 0:
        raise DataError(f"{what} is needed: no person has both scores")
    return float(values.mean())


def _means_source(mean_pre: Any, mean_post: Any, method: str) -> str:
    uses_post = method in ("hsu_linn_lord", "hageman_arrindell")
    given = mean_pre is not None and (mean_post is not None or not uses_post)
    if given:
        return "given"
    return "means of the data (persons with both scores)"


def _sd_post(given: Any, values: np.ndarray) -> float:
    if given is not None:
        return positive_number(given, "sd_post")
    if values.size < 2 or not np.std(values) > 0:
        raise DataError("sd_post is needed: the post-test scores have no spread to estimate it")
    return float(values.std(ddof=1))


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or not (np.std(a) > 0 and np.std(b) > 0):
        raise DataError(
            "the Hageman-Arrindell method needs the pre-post correlation of the data: at "
            "least 3 persons with both scores and spread at both occasions"
        )
    return float(np.corrcoef(a, b)[0, 1])


# ---------------------------------------------------------- clinical significance
