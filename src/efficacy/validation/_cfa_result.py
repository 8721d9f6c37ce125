"""The result of a confirmatory factor analysis: fit measures, parameters, loadings, state."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficacy.results import Result, Summary
from efficacy.validation._estimate import Estimation
from efficacy.validation._warnings import FitWarning, ModelError

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
    #: The estimation behind the fit (ML/MLR: :class:`Estimation`; WLSMV: the ordinal
    #: estimate, or the state of a multi-group fit).
    _estimation: Estimation | Any | None = field(default=None, repr=False, compare=False)

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

        if self.estimator == "WLSMV" and len(self.groups) > 1:
            from efficacy.validation._reliability import groups_reliability_table

            return groups_reliability_table(self._wlsmv_groups("reliability"), self.groups)
        if self.estimator == "WLSMV":
            from efficacy.validation._reliability import ordinal_reliability_table

            return ordinal_reliability_table(self._estimation)
        return reliability_table(self._estimation, self.groups)

    def _wlsmv_groups(self, what: str):
        """The state of a multi-group WLSMV fit, or a clear refusal."""
        if self._estimation is None:
            raise ModelError(
                f"{what} of this multi-group WLSMV fit cannot be computed: it carries no "
                "estimation (fit it with cfa(group=...) or invariance(estimator='WLSMV'))"
            )
        return self._estimation

    def modification_indices(self, top: int | None = 10) -> pd.DataFrame:
        """Score tests of the fixed parameters and the omitted cross-loadings and
        residual covariances.

        lavaan's ``modindices()`` (expected information, under FIML too): ``mi``,
        ``epc`` and ``sepc_all`` (and ``group``), largest ``mi`` first; ``top=None``
        returns all. Parameters that cannot be tested (freeing them leaves the model
        unidentified) are left out, as lavaan leaves them out; equality constraints
        are not released. See :mod:`efficacy.validation._modindices`. A fit that did
        not converge gets them with a :class:`FitWarning`, as lavaan warns.
        """
        from efficacy.validation._modindices import (
            modification_indices,
            ordinal_modification_indices,
        )

        if top is not None and (
            isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1
        ):
            raise ModelError(f"top must be a whole number of at least 1 or None, got {top!r}")

        if self.estimator == "WLSMV" and len(self.groups) > 1:
            from efficacy.validation._modindices_groups import groups_modification_indices

            table = groups_modification_indices(
                self._wlsmv_groups("modification indices"), self.groups
            )
        elif self.estimator == "WLSMV":
            table = ordinal_modification_indices(self._estimation)
        else:
            table = modification_indices(self._estimation, self.groups)
        if not self.converged:
            warnings.warn(
                "modification indices of a fit that did not converge: the score tests are "
                "taken where the optimiser stopped",
                FitWarning,
                stacklevel=2,
            )
        table = table.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
        return table if top is None else table.head(top)

    def summary(self) -> Summary:
        """Estimator, data, convergence and problems, the fit measures and the loadings.

        A fit that did not converge or shows problems says so first, in its ``status``
        row and its first notes.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from efficacy.validation import cfa
        >>> rng = np.random.default_rng(0)
        >>> trait = rng.normal(size=300)
        >>> data = pd.DataFrame(
        ...     {f"x{j}": trait + rng.normal(size=300) for j in range(4)}
        ... )
        >>> summary = cfa(data, model={"F": list(data.columns)}).summary()
        >>> print(summary)  # doctest: +ELLIPSIS
        Confirmatory factor analysis (ML, marker loadings fixed to 1)
          status ... converged
          model  ... user-given
        ...
        >>> dict(summary.rows)["rows used"]
        '300 (dropped for missing items: 0; missing data: listwise)'
        """
        fm = self.fit_measures
        if not self.converged:
            status = "did not converge: do not interpret this fit as it stands"
        elif self.problems:
            status = "converged with problems: do not interpret this fit as it stands"
        else:
            status = "converged"
        rows = [
            ("status", status),
            ("instrument", self.instrument) if self.instrument else ("model", "user-given"),
            (
                "rows used",
                f"{self.n_obs} (dropped for missing items: {self.n_dropped}; "
                f"missing data: {self.missing})",
            ),
        ]
        if len(self.groups) > 1:
            rows.append(("groups", ", ".join(map(str, self.groups))))
        rows.append(("factors", "; ".join(f"{f}: {', '.join(i)}" for f, i in self.factors.items())))
        par = self.parameters
        covs = par[
            (par["op"] == "~~") & (par["lhs"] != par["rhs"]) & ~par["lhs"].isin(self.factors)
        ]
        if len(covs):
            names = dict.fromkeys(
                f"{a}~~{b}" for a, b in zip(covs["lhs"], covs["rhs"], strict=True)
            )
            rows.append(("residual covariances", ", ".join(names)))
        for key in SUMMARY_MEASURES:
            if key in fm.index:
                value = fm[key]
                rows.append((key, str(int(value)) if key == "df" else f"{value:.4f}"))
        notes = [f"Problem: {problem}" for problem in self.problems]
        if not self.converged and not any("converge" in p for p in self.problems):
            notes.insert(0, "Problem: the fit did not converge.")
        scale = (
            "the factor variances are fixed to 1 (std_lv)"
            if self.std_lv
            else "each factor's first loading is fixed to 1"
        )
        notes.append(
            f"Loadings below: est, se, z and pvalue as estimated ({scale}); std_all "
            "standardises both the factors and the items."
        )
        title = (
            f"Confirmatory factor analysis ({self.estimator}"
            + (", std_lv" if self.std_lv else ", marker loadings fixed to 1")
            + ")"
        )
        return Summary(title, tuple(rows), tuple(notes), self.loadings)

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
