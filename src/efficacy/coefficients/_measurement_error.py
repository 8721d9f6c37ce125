"""Standard error of measurement and confidence intervals around individual scores.

:func:`sem` is the standard error of measurement ``SD·sqrt(1 − r)``.
:func:`score_interval` puts an interval around each score, either the classical one
centred on the observed score (``x ± z·SEM``) or the one centred on the estimated
true score (Kelley's regressed score) with the standard error of estimation, which
Dudek (1979) showed is the interval that answers "where is this person's true score"
(Nunnally & Bernstein, 1994, ch. 7).

References
----------
Dudek, F. J. (1979). The continuing misinterpretation of the standard error of
measurement. *Psychological Bulletin*, 86(2), 335–337.

Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.).
McGraw-Hill.

Examples
--------
>>> round(float(sem(10.0, 0.91)), 6)
3.0
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from efficacy.errors import MAX_LISTED, DataError

ArrayLike = float | np.ndarray | pd.Series


def _where(mask: np.ndarray, values: np.ndarray, index: pd.Index | None) -> str:
    """Positions (or index labels) and values selected by ``mask``, for messages."""
    where = np.flatnonzero(np.atleast_1d(mask))
    labels = list(index[where]) if index is not None else [int(i) for i in where]
    bad = [float(v) for v in np.atleast_1d(values).ravel()[where]]
    more = ", ..." if len(where) > MAX_LISTED else ""
    return f"{len(where)} bad: at {labels[:MAX_LISTED]!r}{more}, values {bad[:MAX_LISTED]!r}{more}"


def _as_array(value: ArrayLike, what: str) -> tuple[np.ndarray, pd.Index | None]:
    index = value.index if isinstance(value, pd.Series) else None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what} must be numeric, got {value!r}") from exc
    return array, index


def _check_sd(sd: ArrayLike) -> tuple[np.ndarray, pd.Index | None]:
    array, index = _as_array(sd, "sd")
    bad = ~(np.isfinite(array) & (array > 0))
    if bad.any():
        raise DataError("sd must be positive and finite; " + _where(bad, array, index))
    return array, index


def _check_reliability(reliability: ArrayLike) -> tuple[np.ndarray, pd.Index | None]:
    array, index = _as_array(reliability, "reliability")
    bad = ~((array >= 0) & (array <= 1))
    if bad.any():
        raise DataError("reliability must lie in [0, 1]; " + _where(bad, array, index))
    return array, index


def _wrap(result: np.ndarray, *indexes: pd.Index | None) -> ArrayLike:
    index = next((i for i in indexes if i is not None), None)
    if index is not None:
        return pd.Series(result, index=index)
    return result if result.ndim else np.float64(result)


def sem(sd: ArrayLike, reliability: ArrayLike) -> ArrayLike:
    """Standard error of measurement, ``SD·sqrt(1 − r)``.

    The standard deviation of a person's observed scores around their true score
    (Nunnally & Bernstein, 1994, p. 259).

    Parameters
    ----------
    sd
        Standard deviation of the observed scores (scalar, array or Series).
    reliability
        Reliability coefficient in [0, 1] (scalar, array or Series); broadcast
        against ``sd``.

    Returns
    -------
    float, ndarray or Series
        A Series (with the index of whichever input is a Series) when either input
        is one; otherwise an array, or a float for scalar inputs.

    Raises
    ------
    DataError
        ``sd`` not positive and finite, or ``reliability`` outside [0, 1], naming
        positions (or index labels) and values.

    Examples
    --------
    >>> sem([5.0, 5.0], [0.75, 0.84]).tolist()
    [2.5, 2.0]
    """
    sd_array, sd_index = _check_sd(sd)
    r_array, r_index = _check_reliability(reliability)
    if sd_index is not None and r_index is not None and not sd_index.equals(r_index):
        raise DataError("sd and reliability are Series with different indexes")
    return _wrap(sd_array * np.sqrt(1.0 - r_array), sd_index, r_index)


def score_interval(
    scores: ArrayLike | list[float],
    sd: ArrayLike,
    reliability: ArrayLike,
    level: float = 0.95,
    method: Literal["observed", "true_score"] = "observed",
    *,
    mean: ArrayLike | None = None,
) -> pd.DataFrame:
    """Confidence interval around each score.

    ``z`` is the standard normal quantile of ``(1 + level)/2`` (1.959964... for 95%,
    never a rounded 1.96).

    - ``method="observed"``: ``x ± z·SEM`` with ``SEM = SD·sqrt(1 − r)``, centred on
      the observed score (the classical band; strictly it describes where observed
      scores fall around a given true score).
    - ``method="true_score"``: the estimated true score ``T = M + r·(x − M)``
      (Kelley's regression toward the mean) ``± z·SD·sqrt(r·(1 − r))``, the standard
      error of estimation of the true score from the observed one (Dudek, 1979;
      Nunnally & Bernstein, 1994, p. 259). Needs ``mean=``, the mean M of the
      population the reliability and SD come from (e.g. the norm sample).

    Parameters
    ----------
    scores
        Observed scores (Series, array or list). NaN scores give NaN bounds.
    sd, reliability
        Standard deviation of the observed scores and their reliability; scalars or
        arrays broadcast against ``scores``.
    level
        Confidence level in (0, 1).
    method
        ``"observed"`` or ``"true_score"``.
    mean
        Population mean, required for ``"true_score"``.

    Returns
    -------
    DataFrame
        On the scores' index (a RangeIndex for arrays): ``score``, for
        ``"true_score"`` also ``true_score``, then ``lower`` and ``upper``.

    Raises
    ------
    DataError
        Bad ``sd`` or ``reliability``, ``level`` outside (0, 1), unknown ``method``,
        ``mean`` missing for ``"true_score"``.

    Examples
    --------
    >>> score_interval([100.0], sd=15.0, reliability=0.91).round(3)  # SEM = 4.5
       score  lower   upper
    0  100.0  91.18  108.82
    >>> score_interval([130.0], 15.0, 0.91, method="true_score", mean=100.0).round(3)
       score  true_score    lower    upper
    0  130.0       127.3  118.886  135.714
    """
    if method not in ("observed", "true_score"):
        raise DataError(f"method must be 'observed' or 'true_score', got {method!r}")
    if not 0.0 < level < 1.0:
        raise DataError(f"level must lie strictly between 0 and 1, got {level!r}")
    index = scores.index if isinstance(scores, pd.Series) else None
    x, _ = _as_array(scores, "scores")
    if x.ndim > 1:
        raise DataError(f"scores must be one-dimensional, got shape {x.shape}")
    x = np.atleast_1d(x)
    if index is None:
        index = pd.RangeIndex(len(x))
    sd_array, _ = _check_sd(sd)
    r_array, _ = _check_reliability(reliability)
    shapes = [x.shape, sd_array.shape, r_array.shape]
    if mean is not None:
        shapes.append(np.shape(mean))
    try:
        fits = np.broadcast_shapes(*shapes) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise DataError(
            f"sd, reliability and mean must be scalars or match the {len(x)} scores; "
            f"got shapes {shapes[1:]}"
        )
    z = float(stats.norm.ppf((1.0 + level) / 2.0))
    if method == "observed":
        half = z * sd_array * np.sqrt(1.0 - r_array)
        centre = x
        columns = {"score": x}
    else:
        if mean is None:
            raise DataError("method='true_score' needs mean=, the mean of the reference population")
        m, _ = _as_array(mean, "mean")
        if not np.isfinite(m).all():
            raise DataError(f"mean must be finite, got {mean!r}")
        centre = m + r_array * (x - m)
        half = z * sd_array * np.sqrt(r_array * (1.0 - r_array))
        columns = {"score": x, "true_score": np.broadcast_to(centre, x.shape)}
    lower, upper = np.broadcast_arrays(centre - half, centre + half)
    return pd.DataFrame({**columns, "lower": lower, "upper": upper}, index=index)
