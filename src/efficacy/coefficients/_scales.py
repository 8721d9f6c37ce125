"""Reliability of every scale of an instrument, in one call.

:func:`reliability` codes the responses with the instrument's rules (labels, missing
codes, reverse keying by the declared range), then computes for each scale Cronbach's
alpha with its interval and item analysis, and McDonald's omega beside it, and sets
them next to the reliability the authors published.

Examples
--------
>>> import warnings
>>> import efficacy as ef
>>> from efficacy.datasets import load_demo
>>> with warnings.catch_warnings():  # the demo data hold 3 invalid cells
...     warnings.simplefilter("ignore")
...     rel = ef.reliability(load_demo(), "gse", on_invalid="missing")
>>> row = rel.to_frame().loc["gse"]
>>> int(row["n_items"]), round(float(row["alpha"]), 3), row["published_alpha"]
(10, 0.876, '0.76-0.9')

``rel["gse"].alpha`` is the coefficient itself, a number that also carries the full
alpha result (``.ci``, ``.items``, ``.summary()``, and ``.alpha`` as before):

>>> round(rel["gse"].alpha, 3), rel["gse"].alpha.ci_method
(0.876, 'feldt')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from efficacy.coefficients.alpha_family._alpha import AlphaResult, alpha
from efficacy.instrument._loader import load
from efficacy.instrument._model import Instrument, PublishedReliability
from efficacy.results import Result, Summary, format_value
from efficacy.scoring import Columns, OnInvalid, item_responses

#: Fewest items for which a one-factor omega is identified.
MIN_ITEMS_OMEGA = 3


def _published(instrument: Instrument, scale_id: str) -> str:
    """The published alpha of a scale as text: a value, a range, or empty."""
    texts = []
    for entry in instrument.reliability:
        if entry.scale != scale_id or entry.statistic != "alpha":
            continue
        texts.append(_published_text(entry))
    return "; ".join(texts)


def _published_text(entry: PublishedReliability) -> str:
    if entry.value is not None:
        text = f"{entry.value:g}"
    elif entry.range is not None:
        text = f"{entry.range[0]:g}-{entry.range[1]:g}"
    else:  # pragma: no cover - the schema requires value or range
        return ""
    return f"{text} (n = {entry.n})" if entry.n else text


class Alpha(float):
    """Cronbach's alpha of a scale as a number, carrying its full :class:`AlphaResult`.

    ``rel["gse"].alpha`` compares, rounds, formats and computes as the coefficient
    (``round(rel["gse"].alpha, 2)``, ``f"{rel['gse'].alpha:.2f}"``); every attribute of
    the alpha result is available on it (``.ci``, ``.items``, ``.n_obs``,
    ``.summary()``, and ``.alpha``, the same number), and ``.result`` is the result.

    Examples
    --------
    >>> import numpy as np
    >>> from efficacy.coefficients.alpha_family._alpha import alpha
    >>> rng = np.random.default_rng(1)
    >>> data = rng.normal(size=(50, 1)) + rng.normal(size=(50, 4))
    >>> a = Alpha(alpha(data))
    >>> a == a.alpha, a.result.n_obs
    (True, 50)
    """

    result: AlphaResult

    def __new__(cls, result: AlphaResult) -> Alpha:
        value = super().__new__(cls, result.alpha)
        value.result = result
        return value

    def __getattr__(self, name: str) -> Any:
        if name == "result":  # not set yet (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self.result, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Alpha, (self.result,))

    def summary(self) -> Summary:
        """The summary of the alpha result (the number itself displays as a number)."""
        return self.result.summary()


@dataclass(frozen=True, repr=False)
class ScaleReliability(Result):
    """Reliability of one scale: alpha (with item analysis) and omega.

    ``alpha`` is the coefficient as a number that also carries the full alpha result
    (see :class:`Alpha`); ``omega_total`` is psych's omega total as a number (``None``
    without omega) and ``omega`` the full omega result.
    """

    scale: str
    n_items: int
    alpha: Alpha
    omega: Any | None
    published_alpha: str

    def __post_init__(self) -> None:
        if not isinstance(self.alpha, Alpha):
            object.__setattr__(self, "alpha", Alpha(self.alpha))

    @property
    def omega_total(self) -> float | None:
        """psych's omega total (observed denominator), or ``None`` without omega."""
        return None if self.omega is None else float(self.omega.omega_total)

    def summary(self) -> Summary:
        """Alpha with its interval and omega, the counts and how they were made."""
        a = self.alpha.result
        lower, upper = a.ci
        rows = [
            ("items", str(self.n_items)),
            ("respondents", f"{a.n_obs} ({a.nan_policy} missing data)"),
            (
                "alpha",
                f"{format_value(a.alpha)}, {format_value(a.level * 100)}% CI "
                f"[{format_value(lower)}, {format_value(upper)}] ({a.ci_method})",
            ),
            ("standardized alpha", format_value(a.std_alpha)),
            ("average r", format_value(a.average_r)),
        ]
        if self.omega is not None:
            rows.append(("omega total", format_value(self.omega.omega_total)))
            rows.append(("omega hierarchical", format_value(self.omega.omega_h)))
        if self.published_alpha:
            rows.append(("published alpha", self.published_alpha))
        notes = []
        if self.omega is None:
            notes.append(f"No omega: it needs {MIN_ITEMS_OMEGA} or more items, or was not asked.")
        elif not getattr(self.omega, "converged", True):
            notes.append("The factor solution for omega did not meet its convergence criterion.")
        return Summary(f"Reliability of scale {self.scale}", tuple(rows), tuple(notes))

    def to_frame(self) -> pd.DataFrame:
        """One row: the scale's coefficients."""
        return pd.DataFrame([self._row()], index=pd.Index([self.scale], name="scale"))

    def _row(self) -> dict[str, Any]:
        lower, upper = self.alpha.ci
        row: dict[str, Any] = {
            "n_items": self.n_items,
            "n_obs": self.alpha.n_obs,
            "alpha": self.alpha.alpha,
            "alpha_ci_lower": lower,
            "alpha_ci_upper": upper,
            "std_alpha": self.alpha.std_alpha,
            "g6": self.alpha.g6,
            "average_r": self.alpha.average_r,
            "omega_total": None,
            "omega_total_model": None,
            "published_alpha": self.published_alpha,
        }
        if self.omega is not None:
            row["omega_total"] = self.omega.omega_total
            row["omega_total_model"] = self.omega.omega_total_model
        return row


@dataclass(frozen=True, repr=False)
class InstrumentReliability(Result):
    """Reliability of every scale of an instrument; ``scales`` maps scale id -> result."""

    instrument: str
    scales: Mapping[str, ScaleReliability]
    ci_method: str
    level: float

    def __getitem__(self, scale_id: str) -> ScaleReliability:
        return self.scales[scale_id]

    def _repr_fields(self) -> list[tuple[str, Any]]:
        alphas = {scale: round(float(r.alpha), 4) for scale, r in self.scales.items()}
        return [
            ("instrument", self.instrument),
            ("alpha", alphas),
            ("ci_method", self.ci_method),
            ("level", self.level),
        ]

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={value!r}" for name, value in self._repr_fields())
        return f"{type(self).__name__}({body})"

    def summary(self) -> Summary:
        """One row per scale: n, alpha with its interval and method, omega, published."""
        table = self.to_frame()
        level = format_value(self.level * 100)
        notes = [
            f"Alpha intervals: {level}% ({self.ci_method}). Omega total is psych's "
            "(observed variance); omega_total_model is McDonald's (model-implied).",
            'Details of one scale: result["<scale>"].summary().',
        ]
        counts = table["n_obs"].astype(int).tolist()
        rows = (("instrument", self.instrument), ("respondents", ", ".join(map(str, counts))))
        return Summary(f"Reliability of {self.instrument}", rows, tuple(notes), table)

    def to_frame(self) -> pd.DataFrame:
        """A tidy table, one row per scale."""
        rows = [result._row() for result in self.scales.values()]
        return pd.DataFrame(rows, index=pd.Index(list(self.scales), name="scale"))


def reliability(
    data: pd.DataFrame,
    instrument: str | Instrument,
    columns: Columns = None,
    *,
    coding: str | None = None,
    on_invalid: OnInvalid = "raise",
    nan_policy: Literal["pairwise", "listwise"] = "pairwise",
    ci: str = "feldt",
    level: float = 0.95,
    omega: bool = True,
    scales: list[str] | None = None,
    seed: int | None = None,
    off_grid: Literal["invalid", "keep"] = "invalid",
) -> InstrumentReliability:
    """Alpha and omega for every scale of an instrument, with the instrument's keys.

    Parameters
    ----------
    data, instrument, columns, coding, on_invalid, off_grid
        As for :func:`efficacy.score`: the responses are coded and checked the same way.
        ``off_grid="keep"`` keeps within-range values off the response grid (such as
        person-mean imputed 2.333) as given, so that analyses of a file with imputed
        cells can be reproduced; the default treats them as invalid.
    nan_policy, ci, level, seed
        Passed to :func:`efficacy.alpha` (``seed`` for bootstrap intervals).
    omega
        Also compute McDonald's omega (one factor) for scales of 3 or more items.
    scales
        Which scales (default all).

    Returns
    -------
    InstrumentReliability
        ``to_frame()`` gives one row per scale: n_items, n_obs, alpha with its interval,
        standardized alpha, G6, average r, omega total (psych's observed-variance form and
        McDonald's model-implied form) and the published alpha; ``result[scale_id]`` the
        full alpha (item table included) and omega of one scale.
    """
    inst = load(instrument)
    items = item_responses(
        data, inst, columns, coding=coding, on_invalid=on_invalid, reverse=True, off_grid=off_grid
    )
    return reliability_of_items(
        items,
        inst,
        scales=scales,
        omega=omega,
        nan_policy=nan_policy,
        ci=ci,
        level=level,
        seed=seed,
    )


def reliability_of_items(
    items: pd.DataFrame,
    instrument: Instrument,
    *,
    scales: list[str] | None = None,
    omega: bool = True,
    **alpha_options: Any,
) -> InstrumentReliability:
    """:func:`reliability` of coded, reverse-keyed item responses (``item_responses``).

    ``alpha_options`` (``nan_policy``, ``ci``, ``level``, ``seed``) go to
    :func:`efficacy.alpha`; ``nan_policy`` to omega too.
    """
    inst = instrument
    chosen = inst.scales if scales is None else tuple(inst.scale(s) for s in scales)
    low, high = inst.response.min, inst.response.max
    nan_policy = alpha_options.get("nan_policy", "pairwise")
    results: dict[str, ScaleReliability] = {}
    for scale in chosen:
        block = items.loc[:, list(scale.items)]
        # reverse keying is already done by the declared range
        alpha_result = alpha(block, min=low, max=high, **alpha_options)
        omega_result = None
        if omega and scale.n_items >= MIN_ITEMS_OMEGA:
            from efficacy.coefficients.factor_analysis._omega import omega as omega_of

            # its warnings (e.g. a solution short of convergence) reach the caller
            omega_result = omega_of(block, nfactors=1, nan_policy=nan_policy)
        results[scale.id] = ScaleReliability(
            scale.id, scale.n_items, alpha_result, omega_result, _published(inst, scale.id)
        )
    ci = alpha_options.get("ci", "feldt")
    return InstrumentReliability(inst.id, results, ci, alpha_options.get("level", 0.95))
