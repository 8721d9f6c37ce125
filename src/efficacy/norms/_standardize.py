"""Norms: standard scores for people, a sample against a norm, and local norm tables.

- :func:`standardize`: each person's z, T, percentile rank, stanine and sten against
  a norm group, with a confidence interval from the standard error of measurement.
- :func:`compare_to_norm`: a sample's mean against a norm mean (one-sample t test,
  Welch's test from the norm's summary statistics, Cohen's d and Hedges' g with CIs).
- :func:`build_norms`: a :class:`~efficacy.NormTable` from your own
  scores (n, mean, SD and mid-rank percentile ranks per group), which
  :func:`to_yaml` writes in the instrument file format and :func:`from_yaml` reads.

Norm tables are of two kinds and the output always says which: ``published`` norms
from the literature, and ``reference_data`` computed from an item-level data set
(often convenience samples, not population norms). GSE's ``world2006*`` tables are
reference data; its published ``scholz2002`` means come without SDs, so they support
mean comparisons but not standard scores.

Examples
--------
>>> import pandas as pd
>>> import efficacy as ef
>>> scores = pd.DataFrame({"gse": [35.0, 29.59, 20.0]}, index=["ann", "bob", "cy"])
>>> out = ef.standardize(scores, "gse", "world2006", reliability=0.86)
>>> out[["z", "t_score", "stanine"]].round(3)
         z  t_score  stanine
ann  1.023   60.227        7
bob  0.000   50.000        5
cy  -1.813   31.871        1

The T score is ``t_score`` (``t`` is the t statistic of :func:`compare_to_norm`). The
old names ``t``, ``t_ci_lower`` and ``t_ci_upper`` still read, with a warning:

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     old = out["t"]
>>> bool((old == out["t_score"]).all()), caught[0].category.__name__
(True, 'DeprecationWarning')
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

import efficacy.norms._stats as ns
from efficacy._dispatch import is_dask, on_dask
from efficacy.errors import DataError, short_list
from efficacy.instrument._model import Instrument
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms._input import (
    check_level,
    check_reliability,
    published_reliability,
)
from efficacy.norms._norm_setup import (
    NormSetup,
    OnMissingGroup,
    checked_setup,
    per_respondent,
    provenance_of,
)

#: Columns of :func:`standardize`'s output, in order.
STANDARD_COLUMNS = (
    "score",
    "norm_group",
    "norm_mean",
    "norm_sd",
    "z",
    "t_score",
    "percentile",
    "percentile_method",
    "stanine",
    "sten",
    "sem",
    "ci_lower",
    "ci_upper",
    "t_score_ci_lower",
    "t_score_ci_upper",
)

#: Former names of the T-score columns, read with a DeprecationWarning.
RENAMED = {
    "t": "t_score",
    "t_ci_lower": "t_score_ci_lower",
    "t_ci_upper": "t_score_ci_upper",
}


class StandardScores(pd.DataFrame):
    """The DataFrame :func:`standardize` returns: T scores in ``t_score``.

    Up to 0.1 the T score was the column ``t``, the name :func:`compare_to_norm` gives
    its t statistic. The former names (``t``, ``t_ci_lower``, ``t_ci_upper``) still
    read, through ``frame[...]``, ``frame.loc[...]``, ``frame.at[...]`` and attribute
    access, with a :class:`DeprecationWarning` naming the new column; they will be
    removed. A frame that has a column of the old name itself (e.g. after ``rename``)
    reads that column.
    """

    @property
    def _constructor(self) -> type[StandardScores]:
        return StandardScores

    def _current(self, key: Any, stacklevel: int = 3) -> Any:
        """``key`` with former T-score names replaced by the current ones (warned)."""
        if isinstance(key, list):
            return [self._current(k, stacklevel + 1) for k in key]
        if not isinstance(key, str) or key not in RENAMED:
            return key
        new = RENAMED[key]
        if key in self.columns or new not in self.columns:
            return key
        warnings.warn(
            f"standardize()'s column {key!r} is now {new!r} (the T score; 't' is the t "
            f"statistic of compare_to_norm); {key!r} will be removed",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        return new

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._current(key))

    def __getattr__(self, name: str) -> Any:
        if name in RENAMED and name not in self.columns and RENAMED[name] in self.columns:
            return super().__getitem__(self._current(name))
        return super().__getattr__(name)

    @property
    def loc(self) -> Any:  # type: ignore[override]
        """As :attr:`pandas.DataFrame.loc`, reading former T-score names (warned)."""
        return _RenamingIndexer(self, super().loc)

    @property
    def at(self) -> Any:  # type: ignore[override]
        """As :attr:`pandas.DataFrame.at`, reading former T-score names (warned)."""
        return _RenamingIndexer(self, super().at)


class _RenamingIndexer:
    """``.loc`` of a :class:`StandardScores`: former column names become current ones."""

    def __init__(self, frame: StandardScores, indexer: Any) -> None:
        self._frame, self._indexer = frame, indexer

    def _key(self, key: Any) -> Any:
        if isinstance(key, tuple) and len(key) == 2:
            return (key[0], self._frame._current(key[1], stacklevel=5))
        return key

    def __getitem__(self, key: Any) -> Any:
        return self._indexer[self._key(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._indexer[self._key(key)] = value

    def __call__(self, axis: Any = None) -> Any:
        return self._indexer(axis)


PERCENTILE_NOTE = (
    "percentile ranks from the norm group's percentile table where it has one, linear "
    "between listed scores ('table', 'table_interpolated'; NaN 'outside_table' beyond "
    "the listed scores), else from the normal curve 100*Phi(z) ('normal')"
)


# ------------------------------------------------------------------ shared setup


# ------------------------------------------------------------------ standardize


def standardize(
    scores: Any,
    instrument: str | Instrument,
    norm: str | NormTable,
    *,
    group: Any = None,
    group_data: pd.DataFrame | pd.Series | None = None,
    scale: Any = None,
    reliability: float | Literal["group"] | None = None,
    level: float = 0.95,
    on_missing_group: OnMissingGroup = "raise",
) -> pd.DataFrame:
    """Standard scores of each person against a norm group.

    Parameters
    ----------
    scores
        Scores from :func:`efficacy.score` (a DataFrame: ``scale=`` picks the column,
        default the norm table's scale), a Series, or a one-dimensional array.
    instrument
        A bundled id (``"gse"``), a path, or an Instrument.
    norm
        The id of one of the instrument's norm tables (or a NormTable).
    group
        ``None``: the table must have one group or a whole-sample group. Otherwise
        the column, list of columns, or dict covariate -> column holding each
        respondent's covariates, taken from ``group_data`` when given, else from
        ``scores``. Strings match case-insensitively ("Male" -> ``male``); range
        covariates match numerically, bounds inclusive (age 23 -> 20-29).
    group_data
        Covariates in a separate DataFrame or Series, aligned by index.
    scale
        The score column of a DataFrame.
    reliability
        For the standard error of measurement ``SEM = SD_norm·sqrt(1 − r)``:
        ``None`` the instrument's published value, a number, or ``"group"`` for the
        per-group alpha of the norm table (GSE ``world2006_country``). z, T,
        percentiles, stanines and stens need no reliability: when ``None`` finds no
        single published value (GSE publishes only a range), they are still given,
        while ``sem`` and the four interval columns are NaN, with a warning and
        ``attrs["efficacy"]["reliability_source"]`` saying why.
    level
        Confidence level of the intervals; the critical value is the normal quantile
        of ``(1 + level)/2`` (1.959964... for 0.95).
    on_missing_group
        ``"raise"`` (default): respondents whose group has no norm are an error
        naming rows and values. ``"nan"``: their results are NaN, with a warning,
        and their row labels are listed in ``attrs["efficacy"]["missing_group"]``.

    Returns
    -------
    DataFrame
        A :class:`StandardScores` DataFrame on the scores' index: ``score,
        norm_group, norm_mean, norm_sd, z, t_score, percentile, percentile_method,
        stanine, sten, sem, ci_lower, ci_upper, t_score_ci_lower, t_score_ci_upper``
        (the T-score columns were ``t``, ``t_ci_lower`` and ``t_ci_upper`` before; those
        names still read, with a DeprecationWarning). z = (x − M)/SD, T = 50 + 10z, stanine
        ``floor(2z + 5.5)`` in 1..9 and sten ``floor(2z + 6)`` in 1..10 (both from z,
        i.e. assuming normality). The percentile comes from the group's percentile
        table where it has one (linear between listed scores), else from the normal
        curve; ``percentile_method`` says which per person. The interval is
        ``x ± crit·SEM`` on the raw score and ``T ± crit·10·sqrt(1 − r)`` on T,
        centred on the observed score and not clipped to the score range.
        ``attrs["efficacy"]`` records the norm id, its kind (published or
        reference_data), source and citation, the reliability used and the level.

    Raises
    ------
    DataError
        Unknown norm table; scores on another metric (sum vs mean, from the scores'
        provenance or their range); a norm group without SD (z needs an SD); an
        invalid ``reliability``; respondents without a norm group.

    Examples
    --------
    >>> import pandas as pd
    >>> import efficacy as ef
    >>> data = pd.DataFrame({"gse": [35.0, 24.0], "sex": ["Female", "male"]})
    >>> out = ef.standardize(data, "gse", "world2006_sex", group="sex", reliability=0.86)
    >>> out[["norm_group", "z", "percentile", "ci_lower", "ci_upper"]].round(2)
       norm_group     z  percentile  ci_lower  ci_upper
    0  sex=female  1.08       85.88     30.90     39.10
    1    sex=male -1.19       11.71     20.25     27.75
    """
    if is_dask(scores):
        return on_dask("standardize", **locals())
    check_level(level)
    setup = checked_setup(scores, instrument, norm, group, group_data, scale, on_missing_group)
    table, groups, codes = setup.table, setup.groups, setup.codes
    used = set(np.unique(codes[codes >= 0]).tolist())
    without_sd = [g.label for i, g in enumerate(groups) if g.sd is None and i in used]
    if without_sd:
        raise DataError(
            f"norm table {table.id!r} gives no SD for groups {without_sd}: z = (x - mean)/SD "
            "needs an SD, so standard scores are not possible with this table; compare "
            "means with compare_to_norm() or choose a table with SDs"
        )
    rel_values, rel_info = _reliabilities(reliability, setup)
    x = setup.scores.values.to_numpy(dtype=float)
    mean = per_respondent([g.mean for g in groups], codes)
    sd = per_respondent([float(g.sd) for g in groups], codes)  # type: ignore[arg-type]
    r = per_respondent(rel_values, codes)
    z = (x - mean) / sd
    t = 50.0 + 10.0 * z
    percentile = ns.normal_percentile(z)
    method = np.where(np.isnan(z), -1, ns.METHOD_LABELS.index(ns.NORMAL)).astype(np.int8)
    for position, row in enumerate(groups):
        if row.percentiles:
            mask = codes == position
            value, method_code = ns.table_percentile(x[mask], row.percentiles)
            percentile[mask] = value
            method[mask] = method_code
    outside = method == ns.METHOD_LABELS.index(ns.OUTSIDE_TABLE)
    if outside.any():
        rows = list(setup.scores.values.index[outside])
        warnings.warn(
            f"{int(outside.sum())} scores lie outside the scores listed in the percentile "
            f"table of norm table {table.id!r} (rows {short_list(rows)}): their percentile "
            "is NaN",
            UserWarning,
            stacklevel=2,
        )
    crit = float(stats.norm.ppf((1.0 + level) / 2.0))
    sem = sd * np.sqrt(1.0 - r)
    half_t = crit * 10.0 * np.sqrt(1.0 - r)
    index = setup.scores.values.index
    labels = pd.Categorical.from_codes(codes, categories=[g.label for g in groups])
    out = StandardScores(
        {
            "score": x,
            "norm_group": labels,
            "norm_mean": mean,
            "norm_sd": sd,
            "z": z,
            "t_score": t,
            "percentile": percentile,
            "percentile_method": pd.Categorical.from_codes(method, ns.METHOD_LABELS),
            "stanine": pd.array(ns.stanine(z), dtype="Int64"),
            "sten": pd.array(ns.sten(z), dtype="Int64"),
            "sem": sem,
            "ci_lower": x - crit * sem,
            "ci_upper": x + crit * sem,
            "t_score_ci_lower": t - half_t,
            "t_score_ci_upper": t + half_t,
        },
        index=index,
    )
    info = provenance_of(setup)
    info.update(
        {
            "reliability": rel_info["value"],
            "reliability_source": rel_info["source"],
            "level": level,
            "critical_value": crit,
            "percentile_method": PERCENTILE_NOTE,
            "standard_scores": "z = (x - M)/SD; T = 50 + 10z; stanine floor(2z + 5.5) in "
            "1..9; sten floor(2z + 6) in 1..10; CI x +/- crit*SD*sqrt(1 - r)",
        }
    )
    out.attrs["efficacy"] = info
    return out


def _reliabilities(reliability: Any, setup: NormSetup) -> tuple[list[float], dict[str, Any]]:
    groups = setup.groups
    if isinstance(reliability, str):
        if reliability != "group":
            raise DataError(f"reliability must be a number, None or 'group', got {reliability!r}")
        lacking = [g.label for g in groups if g.alpha is None]
        if lacking:
            raise DataError(
                f"reliability='group' needs an alpha for every norm group, but norm table "
                f"{setup.table.id!r} gives none for {lacking}"
            )
        values = [check_reliability(g.alpha, f"alpha of group {g.label}") for g in groups]
        return values, {
            "value": {g.label: v for g, v in zip(groups, values, strict=True)},
            "source": f"alpha per norm group of {setup.table.id} ({setup.table.source})",
        }
    if reliability is None:
        try:
            value, source = published_reliability(setup.instrument, setup.table.scale)
        except DataError as exc:
            # z, T, percentiles and stanines need no reliability: only the SEM and
            # its intervals are left out, and the reason is given.
            reason = f"no standard error of measurement: {exc}"
            warnings.warn(
                f"sem and the score intervals are NaN: {exc}",
                UserWarning,
                stacklevel=3,
            )
            return [float("nan")] * len(groups), {"value": None, "source": reason}
    else:
        value, source = check_reliability(reliability), "given"
    return [value] * len(groups), {"value": value, "source": source}


# --------------------------------------------------------------- compare_to_norm


# ------------------------------------------------------------------- build_norms
