"""Scores from an instrument's published item parameters, and reliable change on theta.

:func:`theta_scores` scores every calibrated scale of an instrument from its ``irt:``
section, without fitting (``ef.score(data, instrument, method="irt")``).
:func:`reliable_change_theta` compares two occasions person by person with each
person's own standard errors, ``(theta2 - theta1) / sqrt(SE1^2 + SE2^2)``
(Jabrayilov, Emons & Sijtsma, 2016).

Examples
--------
>>> import pandas as pd
>>> pre = pd.DataFrame({"theta": [-1.0, 0.2], "se": [0.3, 0.4]}, index=["ann", "bob"])
>>> post = pd.DataFrame({"theta": [0.0, 0.3], "se": [0.3, 0.4]}, index=["ann", "bob"])
>>> change = reliable_change_theta(pre, post)
>>> change.persons["category"].tolist()
['reliably improved', 'unchanged']
>>> round(change.rci_of("ann"), 4)
2.357
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from efficacy.errors import DataError, short_list
from efficacy.instrument._irt_spec import calibration
from efficacy.instrument._model import Instrument, IrtCalibration
from efficacy.item_response._params import GradedParameters, ScoreMethod
from efficacy.results import Result, Summary

IMPROVED = "reliably improved"
UNCHANGED = "unchanged"
DETERIORATED = "reliably deteriorated"


def parameters_of(entry: IrtCalibration) -> GradedParameters:
    """A calibration's item parameters as :class:`GradedParameters`."""
    return GradedParameters(
        tuple(item.id for item in entry.items),
        np.array([item.a for item in entry.items], dtype=float),
        tuple(np.array(item.d, dtype=float) for item in entry.items),
        tuple(np.array(item.codes, dtype=float) for item in entry.items),
    )


def theta_scores(
    values: np.ndarray,
    instrument: Instrument,
    index: pd.Index,
    *,
    scales: list[str] | None = None,
    method: ScoreMethod = "EAP",
    apply_min_valid: bool = True,
) -> pd.DataFrame:
    """Trait scores from the instrument's published item parameters (no fitting).

    ``values`` are the coded, reverse-keyed responses (N x items, NaN missing) as
    :func:`efficacy.score` codes them; ``ef.score(data, instrument, method="irt")`` is
    the way to call this on raw data.

    Parameters
    ----------
    values, instrument, index
        Coded responses in the instrument's item order, the instrument, the row labels.
    scales
        Which scales (default: every scale with an ``irt:`` calibration).
    method
        ``"EAP"`` (default), ``"MAP"`` or ``"ML"``; see :meth:`GradedModel.scores`.
    apply_min_valid
        Rows with fewer answers than the scale's ``min_valid`` get NaN and status
        ``"too few answers"`` (the instrument's missing-data rule).

    Returns
    -------
    DataFrame
        Per scale: ``<scale>_theta``, ``<scale>_se``, ``<scale>_T`` (50 + 10 theta, in
        the metric of the calibration's reference population), ``<scale>_n_valid`` and
        ``<scale>_status``.

    Examples
    --------
    >>> import efficacy as ef
    >>> theta_scores(np.ones((1, 10)), ef.load("gse"), pd.RangeIndex(1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    efficacy.errors.DataError: instrument 'gse' has no irt calibration for scale 'gse'; ...
    """
    wanted = [c.scale for c in instrument.irt] if scales is None else list(scales)
    if not wanted:
        wanted = list(instrument.scale_ids)
    entries = [calibration(instrument, scale) for scale in wanted]
    if method not in ("EAP", "MAP", "ML"):
        raise DataError(f"method must be 'EAP', 'MAP' or 'ML', got {method!r}")
    position = {item: j for j, item in enumerate(instrument.item_ids)}
    out: dict[str, Any] = {}
    for entry in entries:
        pars = parameters_of(entry)
        columns = [position[name] for name in pars.names]
        if columns == list(range(columns[0], columns[0] + len(columns))):
            block = values[:, columns[0] : columns[0] + len(columns)]  # a view, no copy
        else:
            block = values[:, columns]
        scores = pars.score_checked(block, index, instrument.response.codes, method)
        if apply_min_valid:
            short = scores["n_answered"].to_numpy() < instrument.scale(entry.scale).min_valid
            if short.any():
                scores.loc[short, ["theta", "se", "T"]] = np.nan
                scores.loc[short, "status"] = "too few answers"
        out[f"{entry.scale}_theta"] = scores["theta"]
        out[f"{entry.scale}_se"] = scores["se"]
        out[f"{entry.scale}_T"] = scores["T"]
        out[f"{entry.scale}_n_valid"] = scores["n_answered"]
        out[f"{entry.scale}_status"] = scores["status"]
    frame = pd.DataFrame(out, index=index)
    frame.attrs["efficacy"] = {
        "methods": {entry.scale: f"irt_{method.lower()}" for entry in entries},
        "calibrations": {
            entry.scale: {"population": entry.population, "source": str(entry.source)}
            for entry in entries
        },
    }
    return frame


@dataclass(frozen=True, repr=False)
class ThetaChange(Result):
    """Reliable change on the trait scale, person by person.

    ``persons`` has pre and post theta and SE, ``change`` (post - pre), ``se_change``
    (``sqrt(se_pre^2 + se_post^2)``), ``rci`` (their ratio) and ``category``. Persons
    without a usable score at either occasion have NaN and no category.
    """

    level: float
    critical_value: float
    higher_is_better: bool
    persons: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Per person: the table ``persons``."""
        return self.persons.copy()

    @property
    def counts(self) -> pd.Series:
        """Number of people per category."""
        order = [DETERIORATED, UNCHANGED, IMPROVED]
        return self.persons["category"].value_counts(sort=False).reindex(order, fill_value=0)

    def rci_of(self, label: Any) -> float:
        """The RCI of the person labelled ``label``."""
        return float(self.persons.loc[label, "rci"])

    def summary(self) -> Summary:
        """The formula, the criterion, the persons classified and the counts per category.

        Examples
        --------
        >>> import pandas as pd
        >>> from efficacy.item_response import reliable_change_theta
        >>> pre = pd.DataFrame({"theta": [0.0, 0.5, 1.0], "se": [0.3, 0.3, 0.3]})
        >>> post = pd.DataFrame({"theta": [1.0, 0.6, 0.2], "se": [0.3, 0.3, 0.3]})
        >>> print(reliable_change_theta(pre, post).summary())  # doctest: +NORMALIZE_WHITESPACE
        Reliable change on theta
          formula    (theta2 - theta1) / sqrt(SE1^2 + SE2^2)
          criterion  |rci| > 1.9600 (level 0.95), higher is better
          persons    3 of 3 persons with usable scores at both occasions
          counts     reliably deteriorated: 0; unchanged: 2; reliably improved: 1
          Note: The standard error of the change is each person's own (Jabrayilov et al.,
                2016), from the two occasions' SEs.
        """
        usable = int(self.persons["category"].notna().sum())
        total = len(self.persons)
        rows = (
            ("formula", "(theta2 - theta1) / sqrt(SE1^2 + SE2^2)"),
            (
                "criterion",
                f"|rci| > {self.critical_value:.4f} (level {self.level:g}), "
                f"{'higher' if self.higher_is_better else 'lower'} is better",
            ),
            ("persons", f"{usable} of {total} persons with usable scores at both occasions"),
            ("counts", "; ".join(f"{name}: {count}" for name, count in self.counts.items())),
        )
        notes = [
            "The standard error of the change is each person's own (Jabrayilov et al., "
            "2016), from the two occasions' SEs."
        ]
        if usable < total:
            notes.append(
                f"{total - usable} of {total} persons without a usable score at both "
                "occasions are not classified."
            )
        return Summary("Reliable change on theta", rows, tuple(notes))


def _columns(frame: Any, scale: str | None, what: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what} must be a DataFrame of theta scores, got {type(frame).__name__}")
    prefix = f"{scale}_" if scale else ""
    names = (f"{prefix}theta", f"{prefix}se")
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DataError(
            f"{what} lacks columns {missing}; it has {short_list(list(frame.columns))}"
            + ("" if scale else " (give scale= for score_theta output)")
        )
    status_name = f"{prefix}status"
    ok = (
        frame[status_name].isin(["ok"])
        if status_name in frame.columns
        else pd.Series(True, index=frame.index)
    )
    return frame[names[0]].astype(float), frame[names[1]].astype(float), ok


def reliable_change_theta(
    pre: pd.DataFrame,
    post: pd.DataFrame,
    *,
    scale: str | None = None,
    level: float = 0.95,
    higher_is_better: bool = True,
) -> ThetaChange:
    """Reliable change from two occasions' theta and SE (Jabrayilov et al., 2016).

    Parameters
    ----------
    pre, post
        Output of :func:`score_theta` (give ``scale=``) or :meth:`GradedModel.scores`
        (columns ``theta`` and ``se``). Rows pair up by index; labels in only one
        are an error. Rows whose ``status`` is not ``"ok"`` (no answers, too few,
        extreme ML) get no category.
    level
        Two-sided confidence level: ``|rci| > norm.ppf((1 + level) / 2)`` is reliable.
    higher_is_better
        Direction of improvement.
    """
    from scipy.stats import norm

    if not 0 < level < 1:
        raise DataError(f"level must lie between 0 and 1, got {level}")
    t1, s1, ok1 = _columns(pre, scale, "pre")
    t2, s2, ok2 = _columns(post, scale, "post")
    only_pre = t1.index.difference(t2.index)
    only_post = t2.index.difference(t1.index)
    if len(only_pre) or len(only_post) or t1.index.has_duplicates:
        raise DataError(
            "pre and post must have the same unique row labels; only in pre: "
            f"{short_list(list(only_pre))}, only in post: {short_list(list(only_post))}"
        )
    t2, s2, ok2 = t2.reindex(t1.index), s2.reindex(t1.index), ok2.reindex(t1.index)
    usable = ok1 & ok2 & np.isfinite(t1) & np.isfinite(t2) & np.isfinite(s1) & np.isfinite(s2)
    change = (t2 - t1).where(usable)
    se_change = np.sqrt(s1**2 + s2**2).where(usable)
    rci = change / se_change
    critical = float(norm.ppf((1 + level) / 2))
    signed = rci if higher_is_better else -rci
    category = pd.Series(UNCHANGED, index=t1.index, dtype=object)
    category[signed > critical] = IMPROVED
    category[signed < -critical] = DETERIORATED
    category[~usable] = None
    persons = pd.DataFrame(
        {
            "theta_pre": t1,
            "se_pre": s1,
            "theta_post": t2,
            "se_post": s2,
            "change": change,
            "se_change": se_change,
            "rci": rci,
            "category": category,
        }
    )
    return ThetaChange(level, critical, higher_is_better, persons)
