"""Test-retest reliability: intraclass correlations and agreement between two occasions.

:func:`test_retest` takes the scale scores of the same people on two occasions and
reports the six Shrout–Fleiss/McGraw–Wong intraclass correlations with their F-based
95% confidence intervals (computed by pingouin, named as in R psych's ``ICC``), the
Pearson correlation with a Fisher-z interval, and the mean and SD of the change.

Examples
--------
>>> import pandas as pd
>>> t1 = pd.Series([10.0, 12, 15, 9, 20, 17, 11, 14], index=list("abcdefgh"))
>>> t2 = pd.Series([11.0, 12, 16, 10, 19, 18, 13, 14], index=list("abcdefgh"))
>>> res = test_retest(t1, t2)
>>> round(res.icc_a1, 4), res.n, res.n_dropped
(0.955, 8, 0)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from efficacy.errors import DataError, short_list
from efficacy.results import Result, Summary
from efficacy.results import format_value as _f

#: psych ``ICC`` name -> (pingouin type, meaning).
_ICC_TYPES: dict[str, tuple[str, str]] = {
    "ICC1": ("ICC(1,1)", "single score, one-way random (no occasion effect)"),
    "ICC2": ("ICC(A,1)", "single score, absolute agreement, two-way random"),
    "ICC3": ("ICC(C,1)", "single score, consistency, two-way mixed"),
    "ICC1k": ("ICC(1,k)", "mean of k scores, one-way random"),
    "ICC2k": ("ICC(A,k)", "mean of k scores, absolute agreement, two-way random"),
    "ICC3k": ("ICC(C,k)", "mean of k scores, consistency, two-way mixed"),
}

#: Fewest complete pairs accepted (the Fisher-z interval needs n > 3).
MIN_PAIRS = 4


@dataclass(frozen=True, repr=False)
class RetestResult(Result):
    """Test-retest reliability of scores from two occasions.

    Attributes
    ----------
    icc_a1, icc_a1_ci
        ICC(A,1) (psych's ICC2): single-score absolute agreement, two-way random
        effects, with its 95% CI. The recommended test-retest coefficient.
    icc
        All six ICCs, indexed ``ICC1 ... ICC3k`` (psych's names), with columns
        ``type`` (McGraw–Wong name), ``description``, ``icc``, ``f``, ``df1``,
        ``df2``, ``p_value``, ``lower``, ``upper`` (95% CI).
    pearson_r, pearson_ci
        Pearson correlation of the two occasions and its 95% Fisher-z interval.
    mean_t1, mean_t2, mean_diff, sd_diff
        Means per occasion, mean change ``t2 − t1`` and SD of the change (N − 1).
    n, n_dropped, dropped
        Complete pairs used; pairs with a missing score dropped, and their labels.
    """

    icc_a1: float
    icc_a1_ci: tuple[float, float]
    pearson_r: float
    pearson_ci: tuple[float, float]
    mean_t1: float
    mean_t2: float
    mean_diff: float
    sd_diff: float
    n: int
    n_dropped: int
    icc: pd.DataFrame = field(compare=False)
    dropped: tuple[Any, ...] = ()

    def summary(self) -> Summary:
        """ICC(A,1) and Pearson r with intervals, the means and what was dropped."""
        rows = (
            (
                "ICC(A,1)",
                f"{_f(self.icc_a1)}, CI [{_f(self.icc_a1_ci[0])}, {_f(self.icc_a1_ci[1])}]",
            ),
            (
                "Pearson r",
                f"{_f(self.pearson_r)}, CI [{_f(self.pearson_ci[0])}, {_f(self.pearson_ci[1])}]",
            ),
            (
                "means",
                f"{_f(self.mean_t1)} then {_f(self.mean_t2)} (difference {_f(self.mean_diff)})",
            ),
            ("respondents", str(self.n)),
            ("dropped", f"{self.n_dropped} without both scores"),
        )
        return Summary("Test-retest reliability", rows, (), self.icc)

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic (six ICCs, pearson_r, mean_diff, sd_diff, and the
        counts n and n_dropped): ``value``, ``lower``, ``upper``."""
        table = self.icc[["icc", "lower", "upper"]].rename(columns={"icc": "value"})
        extra = pd.DataFrame(
            {
                "value": [self.pearson_r, self.mean_diff, self.sd_diff, self.n, self.n_dropped],
                "lower": [self.pearson_ci[0], np.nan, np.nan, np.nan, np.nan],
                "upper": [self.pearson_ci[1], np.nan, np.nan, np.nan, np.nan],
            },
            index=["pearson_r", "mean_diff", "sd_diff", "n", "n_dropped"],
        )
        return pd.concat([table, extra]).rename_axis("statistic")


@contextmanager
def _unrounded(options: dict[str, Any]) -> Iterator[None]:
    """Switch off pingouin's display rounding (it rounds CI95 to 2 decimals) for a call,
    restoring its options afterwards; warnings raised inside are filtered locally."""
    saved = dict(options)
    try:
        with warnings.catch_warnings():
            for key in [k for k in options if k.startswith("round")]:
                options[key] = None
            yield
    finally:
        options.clear()
        options.update(saved)


def _as_series(values: Any, what: str) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise DataError(f"{what} must be one column of scores, got {values.shape[1]} columns")
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        series = values
    else:
        array = np.asarray(values)
        if array.ndim != 1:
            raise DataError(f"{what} must be one-dimensional, got shape {array.shape}")
        series = pd.Series(array)
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        numeric = pd.to_numeric(series, errors="coerce")
        bad = numeric.isna() & series.notna()
        if bad.any() or pd.api.types.is_bool_dtype(series.dtype):
            rows = list(series.index[bad.to_numpy()]) if bad.any() else list(series.index)
            raise DataError(
                f"{what} must be numeric; rows {short_list(rows)}, "
                f"values {short_list(list(series[bad].unique()))}"
            )
        series = numeric
    duplicated = series.index[series.index.duplicated()]
    if len(duplicated):
        raise DataError(f"{what} has duplicate labels: {short_list(list(pd.unique(duplicated)))}")
    values_f = series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values_f).any():
        rows = list(series.index[np.isinf(values_f)])
        raise DataError(f"{what} must be finite; rows {short_list(rows)} are infinite")
    return pd.Series(values_f, index=series.index)


def _align(
    s1: pd.Series, s2: pd.Series, ids: Sequence[Any] | pd.Index | None
) -> tuple[pd.Series, pd.Series]:
    if ids is not None:
        wanted = pd.Index(ids)
        if wanted.has_duplicates:
            raise DataError(f"ids has duplicates: {short_list(list(wanted[wanted.duplicated()]))}")
        for what, series in (("t1", s1), ("t2", s2)):
            absent = wanted.difference(series.index, sort=False)
            if len(absent):
                raise DataError(f"ids not found in {what}: {short_list(list(absent))}")
        return s1.loc[wanted], s2.loc[wanted]
    only1 = s1.index.difference(s2.index, sort=False)
    only2 = s2.index.difference(s1.index, sort=False)
    if len(only1) or len(only2):
        raise DataError(
            "t1 and t2 must describe the same people (aligned by index): "
            f"{len(only1)} labels only in t1 {short_list(list(only1))}, "
            f"{len(only2)} only in t2 {short_list(list(only2))}; pass ids= to choose"
        )
    return s1, s2.loc[s1.index]


def test_retest(
    t1: pd.Series | pd.DataFrame | np.ndarray | Sequence[float],
    t2: pd.Series | pd.DataFrame | np.ndarray | Sequence[float],
    *,
    ids: Sequence[Any] | pd.Index | None = None,  # noqa: PT028 (not a test)
) -> RetestResult:
    """Test-retest reliability of scale scores from two occasions.

    ICC(A,1) (psych's ICC2: two-way random effects, absolute agreement, single
    measurement) is the recommended test-retest coefficient (Koo & Li, 2016): it
    counts a shift between occasions as disagreement, which a correlation ignores.
    The other five ICCs, Pearson's r and the mean change are reported beside it.

    Parameters
    ----------
    t1, t2
        Scores of the same people on occasions 1 and 2: Series (aligned by index),
        one-column DataFrames, or arrays (aligned by position).
    ids
        Labels of the people to analyse. Without it the two indexes must hold the
        same labels; with it, both must contain every id and only those are used.

    Returns
    -------
    RetestResult

    Raises
    ------
    DataError
        Labels in one occasion but not the other (named), duplicate labels,
        non-numeric scores, fewer than 4 complete pairs, constant scores.

    Notes
    -----
    Only complete pairs enter; the dropped ones are counted and listed in the
    result (``n_dropped``, ``dropped``) and a warning says how many. ICCs and their
    F-based 95% intervals come from
    ``pingouin.intraclass_corr`` (McGraw & Wong, 1996; equal to R psych's ``ICC``
    with ``lmer=FALSE``). Pearson's interval is ``tanh(atanh(r) ± z/sqrt(n − 3))``,
    z the 97.5% normal quantile.

    Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting
    intraclass correlation coefficients for reliability research. *Journal of
    Chiropractic Medicine*, 15(2), 155–163.

    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods*, 1(1), 30–46.

    Examples
    --------
    >>> res = test_retest([3.0, 4, 5, 6, 8], [3.5, 4, 6, 6, 7.5])
    >>> round(res.pearson_r, 4), round(res.mean_diff, 2)
    (0.9615, 0.2)
    """
    import pingouin  # slow to import: only when needed

    s1, s2 = _as_series(t1, "t1"), _as_series(t2, "t2")
    arrays = not isinstance(t1, pd.Series | pd.DataFrame) and not isinstance(
        t2, pd.Series | pd.DataFrame
    )
    if arrays and len(s1) != len(s2) and ids is None:
        raise DataError(f"t1 has {len(s1)} scores and t2 has {len(s2)}; they must pair up")
    s1, s2 = _align(s1, s2, ids)
    complete = (s1.notna() & s2.notna()).to_numpy()
    dropped = tuple(s1.index[~complete])
    x1, x2 = s1.to_numpy()[complete], s2.to_numpy()[complete]
    n = int(complete.sum())
    if dropped:
        warnings.warn(
            f"{len(dropped)} of {len(complete)} pairs with a missing score are left out "
            f"(rows {short_list(list(dropped))}); n_dropped and dropped list them",
            UserWarning,
            stacklevel=2,
        )
    if n < MIN_PAIRS:
        raise DataError(f"need at least {MIN_PAIRS} complete pairs of scores, got {n}")
    for what, x in (("t1", x1), ("t2", x2)):
        if np.ptp(x) == 0:
            raise DataError(f"{what} is constant on the complete pairs; no correlation exists")

    long = pd.DataFrame(
        {
            "target": np.tile(np.arange(n), 2),
            "occasion": np.repeat(["t1", "t2"], n),
            "score": np.concatenate([x1, x2]),
        }
    )
    with _unrounded(pingouin.options), np.errstate(divide="ignore", invalid="ignore"):
        warnings.filterwarnings("ignore", message="The inplace keyword", category=FutureWarning)
        warnings.filterwarnings(
            "ignore", message="The inplace keyword", category=DeprecationWarning
        )
        table = pingouin.intraclass_corr(
            data=long, targets="target", raters="occasion", ratings="score"
        ).set_index("Type")
    rows = []
    for name, (kind, description) in _ICC_TYPES.items():
        row = table.loc[kind]
        lower, upper = (float(v) for v in row["CI95"])
        rows.append(
            {
                "statistic": name,
                "type": kind,
                "description": description,
                "icc": float(row["ICC"]),
                "f": float(row["F"]),
                "df1": float(row["df1"]),
                "df2": float(row["df2"]),
                "p_value": float(row["pval"]),
                "lower": lower,
                "upper": upper,
            }
        )
    icc = pd.DataFrame(rows).set_index("statistic")

    r = float(np.corrcoef(x1, x2)[0, 1])
    z = float(stats.norm.ppf(0.975))
    half = z / np.sqrt(n - 3)
    with np.errstate(divide="ignore"):
        centre = np.arctanh(r)
    diff = x2 - x1
    return RetestResult(
        icc_a1=float(icc.at["ICC2", "icc"]),
        icc_a1_ci=(float(icc.at["ICC2", "lower"]), float(icc.at["ICC2", "upper"])),
        pearson_r=r,
        pearson_ci=(float(np.tanh(centre - half)), float(np.tanh(centre + half))),
        mean_t1=float(x1.mean()),
        mean_t2=float(x2.mean()),
        mean_diff=float(diff.mean()),
        sd_diff=float(diff.std(ddof=1)),
        n=n,
        n_dropped=len(dropped),
        icc=icc,
        dropped=dropped,
    )


#: A public function whose name starts with ``test``: tell pytest it is not a test.
test_retest.__test__ = False  # type: ignore[attr-defined]
