"""The result of a confirmatory factor analysis: fit measures, parameters, loadings, state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficacy.results import Result
from efficacy.validation._estimate import Estimation
from efficacy.validation._warnings import ModelError

#: The fit measures a summary shows, in order.
SUMMARY_MEASURES = (
    "chisq",
    "df",
    "pvalue",
    "chisq_scaled",
    "chisq_scaling_factor",
    "pvalue_scaled",
    "cfi",
    "tli",
    "cfi_robust",
    "tli_robust",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "rmsea_robust",
    "rmsea_ci_lower_robust",
    "rmsea_ci_upper_robust",
    "srmr",
    "aic",
    "bic",
)


@dataclass(frozen=True, repr=False)
class CFAResult(Result):
    """A fitted confirmatory factor model, with lavaan 0.6-14's numbers.

    Attributes
    ----------
    estimator
        ``"ML"`` or ``"MLR"``.
    converged
        The optimiser reached a point where the gradient vanishes (checked).
    n_obs, n_dropped
        Rows used, and rows dropped for missing items.
    missing
        ``"listwise"``, ``"fiml"`` or ``"pairwise"``.
    groups
        Group labels (``("all",)`` for a single group).
    factors
        ``{factor: [items]}`` as fitted.
    fit_measures
        lavaan's ``fitMeasures`` with ``_`` for ``.``: ``chisq``, ``df``, ``pvalue``,
        ``cfi``, ``tli``, ``rmsea`` with ``rmsea_ci_lower``/``upper``, ``srmr``,
        ``aic``, ``bic``, the baseline model and, for MLR, the ``*_scaled`` and
        ``*_robust`` versions.
    parameters
        Every parameter as lavaan's ``parameterEstimates(standardized = TRUE)``:
        ``lhs``, ``op``, ``rhs`` (``group``), ``free``, ``est``, ``se``, ``z``,
        ``pvalue``, ``std_lv``, ``std_all`` and ``reversed`` (the item was reverse-keyed
        and reversed before fitting).
    loadings
        The ``=~`` rows: ``factor``, ``item``, ``est``, ``se``, ``z``, ``pvalue``,
        ``std_all``.
    problems
        What makes the fit untrustworthy (non-convergence, Heywood cases, latent
        covariances not positive definite); each was also issued as a warning.
    instrument
        The instrument id, or None for a ``model`` dict.
    """

    estimator: str
    converged: bool
    n_obs: int
    n_dropped: int
    groups: tuple[Any, ...]
    factors: dict[str, list[str]]
    fit_measures: pd.Series
    parameters: pd.DataFrame
    loadings: pd.DataFrame
    problems: tuple[str, ...] = ()
    instrument: str | None = None
    std_lv: bool = False
    missing: str = "listwise"
    _estimation: Estimation | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the fit converged and shows none of the listed problems."""
        return self.converged and not self.problems

    def to_frame(self) -> pd.DataFrame:
        """The parameter table (as :attr:`parameters`)."""
        return self.parameters.copy()

    @property
    def reliability(self) -> pd.DataFrame:
        """Per factor (and group): ``omega`` (semTools ``compRelSEM``), ``ave``,
        ``coefficient_h`` (Hancock-Mueller maximal reliability) and
        ``composite_reliability`` (Fornell-Larcker); under WLSMV also
        ``omega_ordinal`` (Green & Yang). See :mod:`efficacy.validation._reliability`
        for the formulas."""
        from efficacy.validation._reliability import reliability_table

        if self.estimator == "WLSMV":
            from efficacy.validation._reliability import ordinal_reliability_table

            if self._estimation is None:
                raise ModelError("reliability of a multi-group WLSMV fit is not available")
            return ordinal_reliability_table(self._estimation)
        return reliability_table(self._estimation, self.groups)

    def modification_indices(self, top: int | None = 10) -> pd.DataFrame:
        """Score tests of the omitted cross-loadings and residual covariances.

        lavaan's ``modindices()`` (expected information): ``mi``, ``epc`` and
        ``sepc_all``, largest ``mi`` first; ``top=None`` returns all. Not under FIML
        and not for multi-group WLSMV fits.
        """
        from efficacy.validation._modindices import (
            modification_indices,
            ordinal_modification_indices,
        )

        if self.estimator == "WLSMV":
            if self._estimation is None:
                raise ModelError(
                    "modification indices of a multi-group WLSMV fit are not available"
                )
            table = ordinal_modification_indices(self._estimation)
        else:
            table = modification_indices(self._estimation, self.groups)
        table = table.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
        return table if top is None else table.head(top)

    def summary(self) -> str:
        """A text report: data, estimator, fit measures, loadings and any problems."""
        fm = self.fit_measures
        lines = [
            f"Confirmatory factor analysis ({self.estimator}"
            + (", std_lv" if self.std_lv else ", marker loadings fixed to 1")
            + ")",
            f"  instrument: {self.instrument}" if self.instrument else "  model: user-given",
            f"  rows used: {self.n_obs} (dropped for missing items: {self.n_dropped}; "
            f"missing data: {self.missing})",
        ]
        if len(self.groups) > 1:
            lines.append(f"  groups: {list(self.groups)}")
        lines.append(f"  converged: {self.converged}")
        lines.append("Fit measures")
        for key in SUMMARY_MEASURES:
            if key in fm.index:
                value = fm[key]
                text = str(int(value)) if key == "df" else f"{value:.4f}"
                lines.append(f"  {key:<24}{text:>12}")
        lines.append("Loadings")
        text = self.loadings.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="")
        lines.extend("  " + row for row in text.splitlines())
        if self.problems:
            lines.append("Problems (do not interpret this fit as it stands)")
            lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)

    def _repr_fields(self) -> list[tuple[str, Any]]:
        fm = self.fit_measures
        return [
            ("estimator", self.estimator),
            ("converged", self.converged),
            ("n_obs", self.n_obs),
            ("factors", list(self.factors)),
            ("chisq", fm["chisq"]),
            ("df", int(fm["df"])),
            ("cfi", fm["cfi"]),
            ("rmsea", fm["rmsea"]),
            ("srmr", fm["srmr"]),
        ]


def loadings_table(params: pd.DataFrame) -> pd.DataFrame:
    rows = params[params["op"] == "=~"].rename(columns={"lhs": "factor", "rhs": "item"})
    columns = ["factor", "item"]
    if "group" in rows:
        columns.append("group")
    columns += ["est", "se", "z", "pvalue", "std_all"]
    if "reversed" in rows:
        columns.append("reversed")
    return rows[columns].reset_index(drop=True)
