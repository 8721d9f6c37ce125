"""A sample's mean against a norm: one-sample t, Welch's test from summary statistics, d and g."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import efficacy.norms._stats as ns
from efficacy.errors import DataError
from efficacy.instrument._model import Instrument, NormGroup
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms._input import (
    check_level,
)
from efficacy.norms._norm_setup import OnMissingGroup, checked_setup, provenance_of
from efficacy.results import Result, Summary, format_value


@dataclass(frozen=True, repr=False)
class NormComparison(Result):
    """A sample (or each group of it) compared with a norm table.

    ``table`` has one row per group (``"all"`` without grouping): the sample's n,
    mean and SD; the norm's mean, SD and n; the one-sample t test of the sample mean
    against the norm mean (``t, df, p`` and the CI of the difference); Welch's t
    test from the norm's summary statistics where it gives SD and n (``welch_t,
    welch_df, welch_p``); Cohen's d = (M − M_norm)/SD and Hedges' g with their CIs,
    ``d_sd`` naming the SD (``norm`` or ``sample``) and ``ci_method`` the interval.
    """

    norm: str
    kind: str
    scale: str
    level: float
    table: pd.DataFrame
    source: str

    def to_frame(self) -> pd.DataFrame:
        """One row per group."""
        return self.table.copy()

    def _single(self, column: str) -> float:
        if len(self.table) != 1:
            raise DataError(
                f"this comparison has {len(self.table)} groups; read {column!r} from to_frame()"
            )
        return float(self.table[column].iloc[0])

    @property
    def t(self) -> float:
        """One-sample t (single group)."""
        return self._single("t")

    @property
    def p(self) -> float:
        """Two-sided p of the one-sample t test (single group)."""
        return self._single("p")

    @property
    def d(self) -> float:
        """Cohen's d (single group)."""
        return self._single("d")

    @property
    def g(self) -> float:
        """Hedges' g (single group)."""
        return self._single("g")

    def summary(self) -> Summary:
        """The norm and its kind, and per group n, means, t, p and d with its SD.

        Examples
        --------
        >>> import pandas as pd, efficacy as ef
        >>> scores = pd.DataFrame({"gse": [25.0, 31.0, 28.0, 35.0, 22.0]})
        >>> print(ef.compare_to_norm(scores, "gse", "world2006").summary())  # doctest: +ELLIPSIS
        Comparison with the norm table world2006 (reference_data)
        ...
        """
        columns = [
            c
            for c in ("n", "mean", "sd", "norm_mean", "norm_sd", "t", "df", "p", "d", "g", "d_sd")
            if c in self.table.columns
        ]
        rows = (
            ("scale", self.scale),
            ("source", self.source),
            ("level", format_value(self.level)),
        )
        notes = (
            "t, df and p: one-sample t test of the sample mean against the norm mean; d = "
            "(M - M_norm) / SD with the SD named in d_sd.",
        )
        if self.kind == "reference_data":
            notes += (
                "The norm table is reference data computed from an item-level data set, "
                "not published population norms.",
            )
        return Summary(
            f"Comparison with the norm table {self.norm} ({self.kind})",
            rows,
            notes,
            self.table.loc[:, columns],
        )

    def _repr_fields(self) -> list[tuple[str, Any]]:
        fields: list[tuple[str, Any]] = [("norm", self.norm), ("kind", self.kind)]
        if len(self.table) == 1:
            row = self.table.iloc[0]
            for name in ("n", "mean", "norm_mean", "t", "p", "welch_p", "d", "g"):
                fields.append((name, row[name]))
            fields.append(("d_sd", row["d_sd"]))
        else:
            fields.append(("groups", len(self.table)))
            fields.append(("table", self.table))
        return fields


def compare_to_norm(
    scores: Any,
    instrument: str | Instrument,
    norm: str | NormTable,
    *,
    group: Any = None,
    group_data: pd.DataFrame | pd.Series | None = None,
    scale: Any = None,
    level: float = 0.95,
    on_missing_group: OnMissingGroup = "raise",
) -> NormComparison:
    """Compare a sample's mean with a norm table's mean, overall or per group.

    Parameters
    ----------
    scores, instrument, norm, group, group_data, scale, on_missing_group
        As in :func:`standardize`.
    level
        Confidence level of every interval.

    Returns
    -------
    NormComparison
        Per group (``to_frame()``, one row each):

        - one-sample t test of the sample mean against the norm mean, treating the
          norm mean as fixed (``t``, ``df = n − 1``, two-sided ``p``, CI of the mean
          difference);
        - Welch's t test from summary statistics when the norm gives SD and n
          (``scipy.stats.ttest_ind_from_stats(equal_var=False)``; Welch–Satterthwaite
          df), else NaN;
        - Cohen's d = (M − M_norm)/SD with the norm SD where the norm gives one
          (``d_sd="norm"``: Glass's Δ with the norm as reference; CI from the
          large-sample SE sqrt(1/n + 1/n_norm + d²/(2(n_norm − 1))), Hedges & Olkin,
          1985, or sqrt(1/n) when the norm's n is unknown), else with the sample SD
          (``d_sd="sample"``; exact CI by inverting the noncentral t, Steiger &
          Fouladi, 1997). Hedges' g = J·d with Hedges' (1981) exact correction J for
          the df of the SD used (none when the norm SD is taken as known), its CI J
          times d's. ``ci_method`` names the interval.

    Raises
    ------
    DataError
        As :func:`standardize` (a norm without SD is fine here).

    Examples
    --------
    >>> import numpy as np
    >>> import efficacy as ef
    >>> scores = np.array([31.0, 33.0, 29.0, 35.0, 32.0, 30.0, 34.0, 28.0])
    >>> res = ef.compare_to_norm(scores, "gse", "world2006")
    >>> round(res.t, 4), round(res.d, 4), res.to_frame().loc["all", "d_sd"]
    (2.2055, 0.3611, 'norm')
    """
    check_level(level)
    setup = checked_setup(scores, instrument, norm, group, group_data, scale, on_missing_group)
    x = setup.scores.values.to_numpy(dtype=float)
    rows = []
    for position, row in enumerate(setup.groups):
        values = x[setup.codes == position]
        rows.append(_compare_group(values, row, level))
    frame = pd.DataFrame(rows).set_index("group")
    small = frame.index[frame["n"] < 2].tolist()
    if small:
        warnings.warn(
            f"groups {small} have fewer than 2 scores: their tests and effect sizes are NaN",
            UserWarning,
            stacklevel=2,
        )
    frame.attrs["efficacy"] = {**provenance_of(setup), "level": level}
    return NormComparison(
        norm=setup.table.id,
        kind=setup.table.kind,
        scale=setup.table.scale,
        level=level,
        table=frame,
        source=str(setup.table.source),
    )


def _compare_group(values: np.ndarray, row: NormGroup, level: float) -> dict[str, Any]:
    observed = values[~np.isnan(values)]
    n = int(observed.size)
    mean = float(observed.mean()) if n else math.nan
    sd = float(observed.std(ddof=1)) if n > 1 else math.nan
    mu = float(row.mean)
    diff = mean - mu
    df = n - 1
    crit = float(stats.norm.ppf((1.0 + level) / 2.0))
    out: dict[str, Any] = {
        "group": row.label,
        "n": n,
        "n_missing": int(values.size - n),
        "mean": mean,
        "sd": sd,
        "norm_mean": mu,
        "norm_sd": math.nan if row.sd is None else float(row.sd),
        "norm_n": math.nan if row.n is None else float(row.n),
        "mean_diff": diff,
    }
    nan_keys = [
        *("t", "df", "p", "diff_ci_lower", "diff_ci_upper", "welch_t", "welch_df", "welch_p"),
        *("d", "d_ci_lower", "d_ci_upper", "g", "g_ci_lower", "g_ci_upper"),
    ]
    out.update(dict.fromkeys(nan_keys, math.nan))
    out["d_sd"] = "norm" if row.sd is not None else "sample"
    out["ci_method"] = ""
    if n < 2 or not sd > 0:
        return out
    se = sd / math.sqrt(n)
    t_crit = float(stats.t.ppf((1.0 + level) / 2.0, df))
    t = diff / se
    out.update(
        t=t,
        df=float(df),
        p=float(2.0 * stats.t.sf(abs(t), df)),
        diff_ci_lower=diff - t_crit * se,
        diff_ci_upper=diff + t_crit * se,
    )
    if row.sd is not None and row.n is not None and row.n > 1:
        welch = stats.ttest_ind_from_stats(
            mean, sd, n, mu, float(row.sd), float(row.n), equal_var=False
        )
        out.update(
            welch_t=float(welch.statistic),
            welch_df=ns.welch_df(sd, n, float(row.sd), float(row.n)),
            welch_p=float(welch.pvalue),
        )
    if row.sd is not None:
        d = diff / float(row.sd)
        if row.n is not None and row.n > 1:
            n_norm = float(row.n)
            se_d = math.sqrt(1.0 / n + 1.0 / n_norm + d**2 / (2.0 * (n_norm - 1.0)))
            j = ns.hedges_j(n_norm - 1.0)
            out["ci_method"] = ns.GLASS_METHOD
        else:
            se_d = math.sqrt(1.0 / n)
            j = 1.0
            out["ci_method"] = ns.KNOWN_SD_METHOD
        low, high = d - crit * se_d, d + crit * se_d
    else:
        d = diff / sd
        ncp_low, ncp_high = ns.nct_ci(t, df, level)
        low, high = ncp_low / math.sqrt(n), ncp_high / math.sqrt(n)
        j = ns.hedges_j(df)
        out["ci_method"] = ns.NCT_METHOD
    out.update(d=d, d_ci_lower=low, d_ci_upper=high)
    out.update(g=j * d, g_ci_lower=j * low, g_ci_upper=j * high)
    return out
