"""Ready-made APA tables of efficacy's results: reliability, items, norm comparison and
descriptives."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.output.tables._apa_table import ApaTable
from efficacy.output.tables._format import format_number, strip_zero

#: How the interval methods of :func:`efficacy.alpha` are named in table notes.
CI_METHODS: dict[str, str] = {
    "feldt": "Feldt",
    "feldt_psych": "Feldt (R's qf)",
    "duhachek": "Duhachek",
    "bootstrap": "percentile bootstrap",
    "bca": "BCa bootstrap",
}


#: NormComparison columns -> APA headers, in display order.
_NORM_COLUMNS: dict[str, str] = {
    "scale": "Scale",
    "n": "*n*",
    "mean": "*M*",
    "sd": "*SD*",
    "norm_mean": "Norm *M*",
    "norm_sd": "Norm *SD*",
    "mean_diff": "Difference",
    "t": "*t*",
    "df": "*df*",
    "p": "*p*",
    "d": "*d*",
}


def _scale_results(source: Any, what: str) -> dict[str, Any]:
    """Normalise one result, a mapping of results or a per-scale result object."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    inner = getattr(source, "scales", None)
    if isinstance(inner, Mapping):
        return dict(inner)
    if hasattr(source, what):
        return {"": source}
    raise DataError(
        f"expected a result with .{what}, a dict scale -> result, or the result of "
        f"efficacy.reliability(); got {type(source).__name__}"
    )


def _split(entry: Any) -> tuple[Any, Any, str]:
    """(alpha result, omega result, published alpha) of one scale's entry."""
    inner = getattr(entry, "alpha", None)
    per_scale = hasattr(entry, "published_alpha")  # reliability()'s alpha is a number too
    if inner is not None and (per_scale or not isinstance(inner, numbers.Real)):
        return inner, getattr(entry, "omega", None), getattr(entry, "published_alpha", "")
    return entry, None, ""


def _omega_ci(res_omega: Any) -> tuple[float, float]:
    ci = getattr(res_omega, "ci", None)
    if isinstance(ci, pd.DataFrame) and "omega_total" in ci.index:
        return float(ci.loc["omega_total", "lower"]), float(ci.loc["omega_total", "upper"])
    return math.nan, math.nan


def _published_text(text: str) -> str:
    """Published coefficients in APA form: ``0.76-0.9`` -> ``.76–.90``."""
    text = re.sub(r"\d*\.\d+", lambda m: strip_zero(f"{float(m.group()):.2f}"), text)
    return re.sub(r"(?<=\d)-(?=\.?\d)", "–", text)


def reliability_table(
    alpha: Any,
    omega: Any = None,
    *,
    title: str = "Internal consistency",
    note: str | None = None,
    number: int | None = None,
    names: Mapping[str, str] | None = None,
) -> ApaTable:
    """Reliability of one or more scales: alpha with its interval, omega, mean and SD.

    Parameters
    ----------
    alpha
        The result of :func:`efficacy.reliability` (alpha and omega of every scale),
        an :class:`~efficacy.coefficients.alpha_family._alpha.AlphaResult`, or a dict scale id ->
        AlphaResult.
    omega
        An OmegaResult or a dict scale id -> OmegaResult; it replaces the omega held
        by a result of :func:`efficacy.reliability` (e.g. one with a bootstrap
        interval).
    names
        Display names of the scales (scale id -> name).

    Returns
    -------
    ApaTable
        Columns *n*, *k* (items), α and its interval, ω total (psych's form, observed
        variance) and ω from the model-implied variance (McDonald) when omega is
        known, the *M* and *SD* of the mean item score, and the published α when the
        instrument gives one.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy import datasets
    >>> items = ef.item_responses(datasets.load_prepost(), "gse", columns="pre_gse{n}")
    >>> table = reliability_table({"gse": ef.alpha(items)}, names={"gse": "GSE"})
    >>> list(table.frame.columns)
    ['*n*', '*k*', 'α', '95% CI', '*M*', '*SD*']
    """
    entries = _scale_results(alpha, "alpha")
    extra_omega = _scale_results(omega, "omega_total")
    names = dict(names or {})
    rows = []
    levels: set[float] = set()
    methods: set[str] = set()
    has_omega = has_model = has_published = has_omega_ci = False
    for key, entry in entries.items():
        res_alpha, res_omega, published = _split(entry)
        if key in extra_omega:  # omega given explicitly wins over the one held in alpha
            res_omega = extra_omega[key]
        elif len(extra_omega) == 1 and len(entries) == 1:
            res_omega = next(iter(extra_omega.values()))
        levels.add(float(getattr(res_alpha, "level", 0.95)))
        if getattr(res_alpha, "ci_method", None):
            methods.add(str(res_alpha.ci_method))
        row: dict[str, Any] = {
            "Scale": names.get(key, key) or "Scale",
            "*n*": getattr(res_alpha, "n_obs", None),
            "*k*": getattr(res_alpha, "n_items", None),
            "α": res_alpha.alpha,
            "CI": tuple(getattr(res_alpha, "ci", (math.nan, math.nan))),
            "ω": getattr(res_omega, "omega_total", math.nan),
            "ω CI": _omega_ci(res_omega),
            "ω (model)": getattr(res_omega, "omega_total_model", math.nan),
            "*M*": getattr(res_alpha, "mean", math.nan),
            "*SD*": getattr(res_alpha, "sd", math.nan),
            "Published α": _published_text(published or ""),
        }
        has_omega |= res_omega is not None and hasattr(res_omega, "omega_total")
        has_model |= res_omega is not None and hasattr(res_omega, "omega_total_model")
        has_published |= bool(published)
        has_omega_ci |= not math.isnan(row["ω CI"][0])
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("Scale")
    dropped = [
        name
        for name, keep in (
            ("ω", has_omega),
            ("ω CI", has_omega_ci),
            ("ω (model)", has_model),
            ("Published α", has_published),
        )
        if not keep
    ]
    frame = frame.drop(columns=dropped)
    level = levels.pop() if len(levels) == 1 else 0.95
    ci_label = f"{level * 100:g}% CI"
    frame = frame.rename(columns={"CI": ci_label, "ω CI": f"ω {ci_label}"})
    parts = ["α = Cronbach's alpha"]
    if methods:
        named = ", ".join(sorted(CI_METHODS.get(m, m) for m in methods))
        parts[0] += f" with its {ci_label} ({named})"
    if has_omega:
        parts.append(
            "ω = McDonald's omega total of a one-factor model over the observed total "
            "variance (R psych)"
        )
    if has_omega_ci:
        parts[-1] += " with its bootstrap interval"
    if has_model:
        parts.append("ω (model) = the same over the model-implied variance")
    parts.append("*M* and *SD* of the mean item score")
    if has_published:
        parts.append("published α as reported for the instrument")
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else "; ".join(parts) + ".",
        number=number,
        bounded=("α", ci_label, "ω", f"ω {ci_label}", "ω (model)"),
        p_columns=(),
        symbols=False,
        align={"Published α": "r"},
    )


def item_table(
    alpha_result: Any,
    *,
    instrument: Any = None,
    title: str = "Item statistics",
    note: str | None = None,
    number: int | None = None,
    text_width: int = 60,
) -> ApaTable:
    """Item analysis: *n*, *M*, *SD*, item-rest *r* and alpha if the item is deleted.

    Parameters
    ----------
    alpha_result
        An AlphaResult (its ``items`` table).
    instrument
        An Instrument (or bundled id): adds each item's wording, shortened to
        ``text_width`` characters.

    Examples
    --------
    >>> import efficacy as ef
    >>> from efficacy import datasets
    >>> items = ef.item_responses(datasets.load_prepost(), "gse", columns="pre_gse{n}")
    >>> table = item_table(ef.alpha(items))
    >>> list(table.frame.columns)
    ['n', 'mean', 'sd', 'Item-rest *r*', 'α if deleted']
    """
    stats = alpha_result.items
    frame = pd.DataFrame(index=pd.Index([str(i) for i in stats.index], name="Item"))
    if instrument is not None:
        from efficacy.instrument._loader import load

        inst = load(instrument)
        texts = {item.id: item.text for item in inst.items}

        def shorten(text: str) -> str:
            return text if len(text) <= text_width else text[: text_width - 1].rstrip() + "…"

        frame["Wording"] = [shorten(texts.get(i, "")) for i in frame.index]
        reversed_items = set(inst.reverse_items)
        if reversed_items:
            frame.index = pd.Index(
                [f"{i} (R)" if i in reversed_items else i for i in frame.index], name="Item"
            )
    for source, label in (
        ("n", "n"),
        ("mean", "mean"),
        ("sd", "sd"),
        ("r_drop", "Item-rest *r*"),
        ("alpha_if_deleted", "α if deleted"),
    ):
        if source in stats.columns:
            frame[label] = stats[source].to_numpy()
    default = (
        "Item-rest *r* = correlation of the item with the sum of the other items "
        "(corrected item-total correlation); α if deleted = Cronbach's alpha of the "
        f"remaining items. Overall α = {format_number(alpha_result.alpha, bounded=True)}."
    )
    if "(R)" in " ".join(frame.index):
        default += " (R) = reverse-keyed item, analysed after reversal."
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else default,
        number=number,
        bounded=("Item-rest *r*", "α if deleted"),
        p_columns=(),
        symbols=True,
        align={"Wording": "l"},
    )


def norm_comparison_table(
    comparison: Any,
    *,
    title: str = "Comparison with the norm sample",
    note: str | None = None,
    number: int | None = None,
    effect: Literal["d", "g"] = "d",
) -> ApaTable:
    """Sample against norm: *n*, *M*, *SD*, the norm's *M* and *SD*, *t*, *df*, *p*, *d* [CI].

    Parameters
    ----------
    comparison
        A NormComparison (from :func:`efficacy.compare_to_norm`) or its ``to_frame()``.
    effect
        The effect size shown: Cohen's ``"d"`` or Hedges' ``"g"``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [120], "mean": [31.2], "sd": [4.8], "norm_mean": [29.59],
    ...                       "norm_sd": [5.29], "t": [3.67], "df": [119.0], "p": [0.00036],
    ...                       "d": [0.30], "d_ci_lower": [0.12], "d_ci_upper": [0.49]})
    >>> print(norm_comparison_table(frame).to_markdown().splitlines()[4])
    | 120 | 31.20 | 4.80 | 29.59 | 5.29 | 3.67 | 119 | < .001 | 0.30 | [0.12, 0.49] |
    """
    frame = comparison.to_frame() if hasattr(comparison, "to_frame") else comparison
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a NormComparison or a DataFrame, got {type(frame).__name__}")
    if effect not in ("d", "g"):
        raise DataError(f"effect must be 'd' or 'g', got {effect!r}")
    level = float(getattr(comparison, "level", 0.95))
    columns = dict(_NORM_COLUMNS)
    if effect == "g":
        columns.pop("d")
        columns["g"] = "*g*"
    out = pd.DataFrame(index=frame.index)
    for column, label in columns.items():
        if column in frame.columns:
            out[label] = frame[column].to_numpy()
    lower, upper = f"{effect}_ci_lower", f"{effect}_ci_upper"
    ci_label = f"*{effect}* {level * 100:g}% CI"
    if lower in frame.columns and upper in frame.columns:
        out[ci_label] = list(zip(frame[lower].to_numpy(), frame[upper].to_numpy(), strict=True))
    if out.shape[1] == 0:
        out = frame.copy()
    if out.index.name is not None:
        out.index.name = str(out.index.name).capitalize()
    digits = {"*df*": 0 if "*df*" in out and _integral(out["*df*"]) else 2}
    if note is None:
        sd_used = set(frame["d_sd"]) if "d_sd" in frame.columns else {"norm"}
        sd_text = " or ".join(
            "the norm *SD*" if used == "norm" else "the sample *SD*" for used in sorted(sd_used)
        )
        name = "Cohen's *d*" if effect == "d" else "Hedges' *g*"
        note = (
            "One-sample *t* test of the sample mean against the norm mean; "
            f"{name} = (*M* − norm *M*) / {sd_text}."
        )
    return ApaTable(
        frame=out,
        title=title,
        note=note,
        number=number,
        digits=digits,
        p_columns=tuple(c for c in out.columns if c == "*p*"),
        bounded=(),
        symbols=True,
    )


def _integral(values: pd.Series) -> bool:
    numbers_ = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(numbers_.size) and bool(np.all(numbers_ == np.round(numbers_)))


def descriptives_table(
    scores: pd.DataFrame,
    *,
    columns: Sequence[Any] | None = None,
    group: pd.Series | str | None = None,
    title: str = "Score descriptives",
    note: str | None = None,
    number: int | None = None,
) -> ApaTable:
    """Descriptive statistics of scale scores: *n*, *M*, *SD*, minimum and maximum.

    Parameters
    ----------
    scores
        The output of :func:`efficacy.score` (or any frame of scores).
    columns
        The score columns (default: the scale columns recorded by ``score``, else
        every numeric column not ending in ``_n_valid``).
    group
        A column name of ``scores`` or a Series on its index: one row per group and
        scale.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"gse": [30.0, 25.0, None, 35.0], "gse_n_valid": [10, 9, 5, 10]})
    >>> print(descriptives_table(scores, title="Scores").to_markdown())
    *Scores*
    <BLANKLINE>
    | Score | *n* | *M* | *SD* | Min | Max |
    |:--|--:|--:|--:|--:|--:|
    | gse | 3 | 30.00 | 5.00 | 25.00 | 35.00 |
    <BLANKLINE>
    *Note.* *SD* with the n − 1 denominator; respondents without a score are not counted.
    """
    if not isinstance(scores, pd.DataFrame):
        raise DataError(f"scores must be a DataFrame, got {type(scores).__name__}")
    if columns is None:
        methods = scores.attrs.get("efficacy", {}).get("methods")
        if methods:
            columns = [c for c in methods if c in scores.columns]
        else:
            columns = [
                c
                for c in scores.columns
                if pd.api.types.is_numeric_dtype(scores[c].dtype)
                and not str(c).endswith("_n_valid")
            ]
    columns = list(columns)
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise DataError(f"scores lacks the columns {missing}; it has {list(scores.columns)}")

    def summary(frame: pd.DataFrame) -> pd.DataFrame:
        numeric = frame[columns].astype(float)
        return pd.DataFrame(
            {
                "n": numeric.count().astype(int),
                "mean": numeric.mean(),
                "sd": numeric.std(ddof=1),
                "Min": numeric.min(),
                "Max": numeric.max(),
            }
        )

    if group is None:
        frame = summary(scores)
        frame.index = pd.Index([str(c) for c in columns], name="Score")
    else:
        labels = scores[group] if isinstance(group, str) else group
        if not isinstance(labels, pd.Series) or not labels.index.equals(scores.index):
            raise DataError("group must be a column of scores or a Series on scores' index")
        parts = {
            str(key): summary(part)
            for key, part in scores.groupby(labels.to_numpy(), sort=True, dropna=True)
        }
        frame = pd.concat(parts, names=[str(labels.name or "Group"), "Score"])
        frame = frame.reset_index().set_index(str(labels.name or "Group"))
    default = "*SD* with the n − 1 denominator; respondents without a score are not counted."
    return ApaTable(
        frame=frame,
        title=title,
        note=note if note is not None else default,
        number=number,
        bounded=(),
        p_columns=(),
        symbols=True,
    )
