"""Norms: standard scores for people, a sample against a norm, and local norm tables.

- :func:`standardize`: each person's z, T, percentile rank, stanine and sten against
  a norm group, with a confidence interval from the standard error of measurement.
- :func:`compare_to_norm`: a sample's mean against a norm mean (one-sample t test,
  Welch's test from the norm's summary statistics, Cohen's d and Hedges' g with CIs).
- :func:`build_norms`: a :class:`~efficacy.instrument.NormTable` from your own
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
>>> out[["z", "t", "stanine"]].round(3)
         z       t  stanine
ann  1.023  60.227        7
bob  0.000  50.000        5
cy  -1.813  31.871        1
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from efficacy import _norm_stats as ns
from efficacy._norm_input import (
    Scores,
    assign_groups,
    check_identifier,
    check_level,
    check_metric,
    check_reliability,
    describe_missing_groups,
    group_columns,
    instrument_of,
    norm_table,
    published_reliability,
    scores_of,
    single_group,
)
from efficacy._norm_yaml import from_yaml, to_yaml
from efficacy.errors import DataError, short_list
from efficacy.instrument import Instrument, NormGroup, NormTable, Source
from efficacy.results import Result

__all__ = [
    "NormComparison",
    "build_norms",
    "compare_to_norm",
    "from_yaml",
    "norm_table_to_yaml",
    "standardize",
    "to_yaml",
]

OnMissingGroup = Literal["raise", "nan"]

#: Columns of :func:`standardize`'s output, in order.
STANDARD_COLUMNS = (
    "score",
    "norm_group",
    "norm_mean",
    "norm_sd",
    "z",
    "t",
    "percentile",
    "percentile_method",
    "stanine",
    "sten",
    "sem",
    "ci_lower",
    "ci_upper",
    "t_ci_lower",
    "t_ci_upper",
)

MIDRANK_NOTE = (
    "Percentile ranks by the mid-rank definition: 100*(number below + half the number at)/n."
)

PERCENTILE_NOTE = (
    "percentile ranks from the norm group's percentile table where it has one, linear "
    "between listed scores ('table', 'table_interpolated'; NaN 'outside_table' beyond "
    "the listed scores), else from the normal curve 100*Phi(z) ('normal')"
)


def norm_table_to_yaml(table: NormTable, *, indent: int = 0) -> str:
    """Alias of :func:`to_yaml`."""
    return to_yaml(table, indent=indent)


# ------------------------------------------------------------------ shared setup


@dataclass(frozen=True)
class _Setup:
    instrument: Instrument
    table: NormTable
    scores: Scores
    codes: np.ndarray  # per respondent, into groups; -1 no group
    groups: list[NormGroup]
    missing: list[Any]  # row labels (with a score) without a norm group


def _setup(
    scores: Any,
    instrument: Any,
    norm: str | NormTable,
    group: Any,
    group_data: Any,
    scale: Any,
    on_missing_group: str,
) -> _Setup:
    if on_missing_group not in ("raise", "nan"):
        raise DataError(f"on_missing_group must be 'raise' or 'nan', got {on_missing_group!r}")
    inst = instrument_of(instrument)
    assert inst is not None
    table = norm_table(inst, norm)
    data = scores_of(scores, scale, table.scale)
    check_metric(data, inst, table)
    index = data.values.index
    covariates = group_columns(group, scores, group_data, table, index)
    if covariates is None:
        return _Setup(inst, table, data, np.zeros(len(index), np.intp), [single_group(table)], [])
    codes, groups = assign_groups(covariates, table)
    lacking = (codes < 0) & data.values.notna().to_numpy()
    missing: list[Any] = []
    if lacking.any():
        message = describe_missing_groups(covariates, lacking, table, [g.label for g in groups])
        if on_missing_group == "raise":
            raise DataError(message + "; on_missing_group='nan' gives NaN for them instead")
        warnings.warn(message + "; their results are NaN", UserWarning, stacklevel=3)
        missing = list(index[lacking])
    return _Setup(inst, table, data, codes, groups, missing)


def _per_respondent(values: list[float], codes: np.ndarray) -> np.ndarray:
    """Each respondent's group value (NaN for respondents without a group)."""
    lookup = np.array([*values, np.nan], dtype=float)
    return lookup[np.where(codes < 0, len(values), codes)]


def _provenance(setup: _Setup) -> dict[str, Any]:
    table, inst = setup.table, setup.instrument
    try:
        citation = str(inst.citation(table.source.ref))
    except KeyError:
        citation = None
    info: dict[str, Any] = {
        "instrument": inst.id,
        "norm": table.id,
        "kind": table.kind,
        "population": table.population,
        "source": str(table.source),
        "citation": citation,
        "scale": table.scale,
        "metric": table.metric,
        "note": table.note,
    }
    if table.kind == "reference_data":
        info["caution"] = (
            "reference data computed from an item-level data set, not population norms"
        )
    if setup.missing:
        info["missing_group"] = list(setup.missing)
    return info


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
        ``None`` the instrument's published value (an error naming the range if it
        publishes only a range, as GSE does), a number, or ``"group"`` for the
        per-group alpha of the norm table (GSE ``world2006_country``).
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
        On the scores' index: ``score, norm_group, norm_mean, norm_sd, z, t,
        percentile, percentile_method, stanine, sten, sem, ci_lower, ci_upper,
        t_ci_lower, t_ci_upper``. z = (x − M)/SD, T = 50 + 10z, stanine
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
        provenance or their range); a norm group without SD (z needs an SD);
        reliability only published as a range; respondents without a norm group.

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
    check_level(level)
    setup = _setup(scores, instrument, norm, group, group_data, scale, on_missing_group)
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
    mean = _per_respondent([g.mean for g in groups], codes)
    sd = _per_respondent([float(g.sd) for g in groups], codes)  # type: ignore[arg-type]
    r = _per_respondent(rel_values, codes)
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
    out = pd.DataFrame(
        {
            "score": x,
            "norm_group": labels,
            "norm_mean": mean,
            "norm_sd": sd,
            "z": z,
            "t": t,
            "percentile": percentile,
            "percentile_method": pd.Categorical.from_codes(method, ns.METHOD_LABELS),
            "stanine": pd.array(ns.stanine(z), dtype="Int64"),
            "sten": pd.array(ns.sten(z), dtype="Int64"),
            "sem": sem,
            "ci_lower": x - crit * sem,
            "ci_upper": x + crit * sem,
            "t_ci_lower": t - half_t,
            "t_ci_upper": t + half_t,
        },
        index=index,
    )
    info = _provenance(setup)
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


def _reliabilities(reliability: Any, setup: _Setup) -> tuple[list[float], dict[str, Any]]:
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
        value, source = published_reliability(setup.instrument, setup.table.scale)
    else:
        value, source = check_reliability(reliability), "given"
    return [value] * len(groups), {"value": value, "source": source}


# --------------------------------------------------------------- compare_to_norm


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
    setup = _setup(scores, instrument, norm, group, group_data, scale, on_missing_group)
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
    frame.attrs["efficacy"] = {**_provenance(setup), "level": level}
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


# ------------------------------------------------------------------- build_norms


def build_norms(
    scores: Any,
    *,
    by: Any = None,
    scale: Any = None,
    instrument: str | Instrument | None = None,
    id: str = "local",
    kind: Literal["published", "reference_data"] = "reference_data",
    population: str = "local sample",
    source_ref: str = "local_data",
    provenance: Literal["P", "S", "C"] = "C",
    metric: Literal["sum", "mean"] | None = None,
    note: str | None = None,
    percentiles: bool = True,
    overall: bool = True,
) -> NormTable:
    """A norm table from your own scores: n, mean, SD and percentile ranks per group.

    Parameters
    ----------
    scores
        Scores from :func:`efficacy.score` (DataFrame; ``scale=`` picks the column),
        a Series or an array. Unscored respondents (NaN) are left out, with a warning.
    by
        Grouping: a column name or list of names in ``scores``, or a Series /
        DataFrame of covariates aligned by index. Names must be lower-case
        identifiers, as instrument files require. Respondents with a missing
        covariate belong to no group (warning) but count in the whole sample.
    scale
        The score column, and the table's ``scale`` (default: the instrument's first
        scale, or the frame's only score column).
    instrument
        Optional: checks the scores against the scale's range for the metric.
    id, kind, population, source_ref, provenance, note
        The table's fields in the instrument file. ``source_ref`` must be a citation
        key of the instrument file the table will be pasted into. With percentiles,
        the note ends with a sentence naming the mid-rank definition.
    metric
        ``"sum"`` or ``"mean"``; default from the scores' provenance, else the
        instrument's scale, else an error.
    percentiles
        Add each group's percentile rank of every observed raw score, by the
        mid-rank definition: 100·(number below + half the number at the score)/n.
    overall
        With ``by``, also a whole-sample group (empty ``where``), first.

    Returns
    -------
    NormTable
        Groups in sorted covariate order; SD with n − 1 (None for a group of one or
        with zero spread, which an instrument file cannot hold). ``to_yaml(table)``
        writes it for an instrument file.

    Examples
    --------
    >>> import pandas as pd
    >>> import efficacy as ef
    >>> data = pd.DataFrame({"gse": [20.0, 30.0, 30.0, 40.0]})
    >>> table = ef.build_norms(data, instrument="gse")
    >>> row = table.groups[0]
    >>> row.n, row.mean, round(row.sd, 4), row.percentiles
    (4, 30.0, 8.165, {20.0: 12.5, 30.0: 50.0, 40.0: 87.5})
    """
    check_identifier(id, "id")
    check_identifier(source_ref, "source_ref")
    if kind not in ("published", "reference_data"):
        raise DataError(f"kind must be 'published' or 'reference_data', got {kind!r}")
    if provenance not in ("P", "S", "C"):
        raise DataError(f"provenance must be 'P', 'S' or 'C', got {provenance!r}")
    inst = instrument_of(instrument)
    default = inst.scales[0].id if inst is not None else None
    data = scores_of(scores, scale, default)
    scale_id = str(scale if scale is not None else (default or data.column))
    check_identifier(scale_id, "the scale id")
    metric = _metric(metric, data, inst, scale_id)
    if inst is not None:
        source = Source(source_ref, provenance)
        probe = NormTable(scale_id, scale_id, kind, population, source, (), (), metric)
        check_metric(data, inst, probe)
    values = data.values
    unscored = values.isna()
    if unscored.any():
        warnings.warn(
            f"{int(unscored.sum())} respondents without a score are left out of the norms "
            f"(rows {short_list(list(values.index[unscored]))})",
            UserWarning,
            stacklevel=2,
        )
    covariates = _by_columns(by, scores, values.index)
    groups: list[NormGroup] = []
    if covariates is None or overall:
        groups.append(_norm_group({}, values.to_numpy(dtype=float), percentiles, "all"))
    if covariates is not None:
        frame = pd.DataFrame(covariates)
        no_group = frame.isna().any(axis=1) & ~unscored
        if no_group.any():
            warnings.warn(
                f"{int(no_group.sum())} respondents with a missing {list(covariates)} belong to "
                f"no group (rows {short_list(list(frame.index[no_group]))})",
                UserWarning,
                stacklevel=2,
            )
        keys = list(covariates)
        grouped = values.groupby([frame[k] for k in keys], dropna=True, sort=True)
        for key, members in grouped:
            where = {k: _plain_value(v) for k, v in zip(keys, key, strict=True)}
            label = ", ".join(f"{k}={v}" for k, v in where.items())
            groups.append(_norm_group(where, members.to_numpy(dtype=float), percentiles, label))
    if percentiles:
        note = f"{note} {MIDRANK_NOTE}" if note else MIDRANK_NOTE
    return NormTable(
        id=id,
        scale=scale_id,
        kind=kind,
        population=population,
        source=Source(source_ref, provenance),
        groups=tuple(groups),
        group_by=tuple(covariates) if covariates is not None else (),
        metric=metric,
        note=note,
    )


def _metric(metric: Any, data: Scores, inst: Instrument | None, scale_id: str) -> str:
    if metric is not None:
        if metric not in ("sum", "mean"):
            raise DataError(f"metric must be 'sum' or 'mean', got {metric!r}")
        if data.method is not None and data.method != metric:
            raise DataError(
                f"scores in column {data.column!r} were scored as {data.method} scores "
                f"(attrs['efficacy']), not {metric}"
            )
        return str(metric)
    if data.method is not None:
        return data.method
    if inst is not None:
        try:
            return inst.scale(scale_id).method
        except KeyError as exc:
            raise DataError(str(exc.args[0])) from None
    raise DataError(
        "the scores carry no scoring provenance and no instrument was given: pass "
        "metric='sum' or metric='mean'"
    )


def _by_columns(by: Any, scores: Any, index: pd.Index) -> dict[str, pd.Series] | None:
    if by is None:
        return None
    if isinstance(by, pd.Series):
        name = by.name
        if name is None:
            raise DataError("by= as a Series needs a name (the covariate's name)")
        frame = by.to_frame()
    elif isinstance(by, pd.DataFrame):
        frame = by
    else:
        if not isinstance(scores, pd.DataFrame):
            raise DataError("by= names columns, but the scores are not a DataFrame")
        names = [by] if isinstance(by, str) else list(by)
        missing = [n for n in names if n not in scores.columns]
        if missing:
            raise DataError(
                f"scores lack the by= columns {missing}; they have {list(scores.columns)}"
            )
        frame = scores[names]
    if frame is not scores and not isinstance(by, str | list | tuple):
        if not frame.index.is_unique:
            raise DataError("by= covariates have duplicate index labels")
        lacking = index.difference(frame.index, sort=False)
        if len(lacking):
            raise DataError(
                f"by= covariates lack {len(lacking)} respondents of the scores (aligned by "
                f"index): rows {short_list(list(lacking))}"
            )
    out = {}
    for name in frame.columns:
        check_identifier(name, f"covariate name {name!r}")
        out[str(name)] = frame[name].reindex(index)
    return out


def _plain_value(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str | bool | int | float):
        return value
    raise DataError(
        f"covariate value {value!r} of type {type(value).__name__} cannot be written to an "
        "instrument file (strings, numbers and booleans can)"
    )


def _norm_group(
    where: dict[str, Any], values: np.ndarray, percentiles: bool, label: str
) -> NormGroup:
    observed = np.sort(values[~np.isnan(values)])
    n = int(observed.size)
    if n == 0:
        raise DataError(f"norm group {label} has no scores")
    sd: float | None = float(observed.std(ddof=1)) if n > 1 else None
    if sd is not None and sd == 0.0:
        sd = None
    if sd is None:
        warnings.warn(
            f"norm group {label} has {'one score' if n == 1 else 'no spread'}: its SD is left "
            "out (standard scores against it are not possible)",
            UserWarning,
            stacklevel=3,
        )
    ranks = None
    if percentiles:
        distinct, first = np.unique(observed, return_index=True)
        counts = np.diff(np.append(first, n))
        ranks = {
            float(score): float(100.0 * (below + 0.5 * at) / n)
            for score, below, at in zip(distinct, first, counts, strict=True)
        }
    return NormGroup(where=where, mean=float(observed.mean()), sd=sd, n=n, percentiles=ranks)
