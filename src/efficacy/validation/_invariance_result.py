"""The result of an invariance ladder: one fitted model per level and the comparison table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficacy.results import Result, Summary
from efficacy.validation._cfa_result import CFAResult
from efficacy.validation._data import Prepared
from efficacy.validation._warnings import ModelError

#: Chen (2007) cut-offs: (delta CFI minimum, delta RMSEA maximum, delta SRMR maximum).
CHEN_2007: dict[str, tuple[float, float, float]] = {
    "metric": (-0.010, 0.015, 0.030),
    "scalar": (-0.010, 0.015, 0.010),
    "strict": (-0.010, 0.015, 0.010),
}

#: The first level of a ladder: its row of differences and its (non-)verdict.
REFERENCE_ROW: dict[str, Any] = {
    "chisq_diff": float("nan"),
    "df_diff": float("nan"),
    "p_diff": float("nan"),
    "delta_cfi": float("nan"),
    "delta_rmsea": float("nan"),
    "delta_srmr": float("nan"),
    "verdict": "reference",
    "criteria": "reference level: judge its own fit (CFI, RMSEA, SRMR)",
}


def chen_criteria(level: str) -> str:
    """The Chen (2007) criteria for ``level``, written out (the ordinal ``thresholds``
    level is held to the cut-offs for intercepts)."""
    cfi_min, rmsea_max, srmr_max = CHEN_2007["scalar" if level == "thresholds" else level]
    return (
        f"delta CFI >= {cfi_min:.3f} and delta RMSEA <= {rmsea_max:.3f} and "
        f"delta SRMR <= {srmr_max:.3f} (Chen 2007)"
    )


def judge(level: str, prev: CFAResult, cur: CFAResult, row: dict, indices: str = "") -> None:
    """Write the criteria and the verdict of ``level`` into its ``row`` (which holds
    ``delta_cfi``, ``delta_rmsea`` and ``delta_srmr``). ``indices`` names the CFI and
    RMSEA the deltas are of (``"robust"``, ``"scaled"``; empty: the plain ones). No
    verdict for a fit that did not converge or shows problems."""
    label = f"{indices} " if indices else ""
    row["criteria"] = (
        chen_criteria(level)
        .replace("delta CFI", f"delta {label}CFI")
        .replace("delta RMSEA", f"delta {label}RMSEA")
    )
    if not (cur.ok and prev.ok):
        problems = "; ".join(
            f"{which} level: {', '.join(fit.problems) or 'not converged'}"
            for which, fit in (("this", cur), ("previous", prev))
            if not fit.ok
        )
        row["verdict"] = f"no verdict: {problems}"
        return
    cfi_min, rmsea_max, srmr_max = CHEN_2007["scalar" if level == "thresholds" else level]
    holds = (
        row["delta_cfi"] >= cfi_min
        and row["delta_rmsea"] <= rmsea_max
        and row["delta_srmr"] <= srmr_max
    )
    row["verdict"] = "holds" if holds else "fails"


@dataclass(frozen=True, repr=False)
class InvarianceResult(Result):
    """The invariance ladder: one fit per level and the comparisons between them.

    Attributes
    ----------
    estimator, group, groups
        Estimator, grouping column and its labels (the first is the reference group).
    levels
        The levels fitted, in order.
    fits
        ``{level: CFAResult}``.
    table
        One row per level: the fit measures, ``chisq_diff``, ``df_diff``, ``p_diff``
        (against the previous level), ``delta_cfi``, ``delta_rmsea``, ``delta_srmr``,
        ``verdict`` and the ``criteria`` it applied.
    free
        Parameters exempt from the equality constraints (partial invariance).
    """

    estimator: str
    group: str
    groups: tuple[Any, ...]
    levels: tuple[str, ...]
    fits: dict[str, CFAResult]
    table: pd.DataFrame
    free: tuple[str, ...] = ()
    _prepared: Prepared | None = field(default=None, repr=False, compare=False)
    _std_lv: bool = field(default=False, repr=False, compare=False)
    #: Refits the ladder with named parameters freed (set by the function that fitted it).
    _refit: Callable[[tuple[str, ...]], InvarianceResult] | None = field(
        default=None, repr=False, compare=False
    )

    def to_frame(self) -> pd.DataFrame:
        """The comparison table (as :attr:`table`)."""
        return self.table.copy()

    def partial(self, free: Sequence[str]) -> InvarianceResult:
        """Refit with the named parameters free across groups (partial invariance).

        Every level is refitted with the named parameters exempt from the equality
        constraints of the levels that impose them (lavaan's ``group.partial``).

        - ML and MLR: an item id frees its intercept (``"gse3"`` means ``"gse3~1"``);
          lavaan-style names free a loading (``"F=~gse3"``) or a residual variance
          (``"gse3~~gse3"``).
        - WLSMV (the ordinal ladder): an item id frees all its thresholds (``"gse3"``
          means ``"gse3|t1"``, ``"gse3|t2"``, ...) at the thresholds, metric and scalar
          levels; the item then keeps scale 1 and intercept 0 in every group, as in the
          configural model, and its loading stays equal from the metric level on.
          lavaan names free one threshold (``"gse3|t1"``), an intercept (``"gse3~1"``,
          scalar level) or a loading (``"F=~gse3"``); the item's scale and intercept
          are then free beyond the first group as far as its thresholds still held
          equal identify them (semTools' ``measEq.syntax`` with ``ID.cat =
          "Wu.Estabrook.2016"`` and ``group.partial``).

        :attr:`free` of the result lists the lavaan names freed.
        """
        if self._prepared is None or self._refit is None:  # pragma: no cover - set by invariance()
            raise ModelError("this result cannot be refitted")
        if isinstance(free, str):
            free = [free]
        if self.estimator == "WLSMV":
            return self._refit(tuple(free))
        items = list(self._prepared.items)
        factors = self._prepared.factors
        names = []
        for name in free:
            text = str(name).replace(" ", "")
            if text in items:
                names.append(f"{text}~1")
                continue
            valid = False
            if "=~" in text:
                factor, item = text.split("=~", 1)
                valid = item in factors.get(factor, ())
            elif "~~" in text:
                left, right = text.split("~~", 1)
                valid = left == right and left in items
            elif text.endswith("~1"):
                valid = text[:-2] in items
            if not valid:
                raise ModelError(
                    f"cannot free {name!r}: give an item of the model {items}, or a "
                    "lavaan name of one of its parameters: an intercept ('x3~1'), a loading "
                    "('F=~x3') or a residual variance ('x3~~x3')"
                )
            names.append(text)
        return self._refit(tuple(names))

    def summary(self) -> Summary:
        """The ladder, the verdict at each level with its criteria, and any fit's problems.

        A level whose fit did not converge or shows problems is named first.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from efficacy.validation import invariance
        >>> rng = np.random.default_rng(0)
        >>> trait = rng.normal(size=400)
        >>> data = pd.DataFrame({f"x{j}": trait + rng.normal(size=400) for j in range(4)})
        >>> data["g"] = np.repeat(["a", "b"], 200)
        >>> inv = invariance(data, model={"F": ["x0", "x1", "x2", "x3"]}, group="g")
        >>> summary = inv.summary()
        >>> summary.title
        "Measurement invariance across 'g' (ML)"
        >>> dict(summary.rows)["groups"]
        'a, b'
        """
        cfi, rmsea = {
            "MLR": ("cfi_robust", "rmsea_robust"),
            "WLSMV": ("cfi_scaled", "rmsea_scaled"),
        }.get(self.estimator, ("cfi", "rmsea"))
        columns = [
            "chisq",
            "df",
            cfi,
            rmsea,
            "srmr",
            "chisq_diff",
            "df_diff",
            "p_diff",
            "delta_cfi",
            "delta_rmsea",
            "delta_srmr",
            "verdict",
        ]
        rows: list[tuple[str, str]] = []
        notes: list[str] = []
        troubled = [level for level in self.levels if not self.fits[level].ok]
        if troubled:
            rows.append(
                (
                    "problems",
                    f"the {', '.join(troubled)} fit(s) did not converge or show problems: "
                    "do not interpret their comparisons as they stand",
                )
            )
            for level in troubled:
                fit = self.fits[level]
                found = list(fit.problems) or ["the fit did not converge"]
                if not fit.converged and not any("converge" in p for p in found):
                    found.insert(0, "the fit did not converge")
                notes += [f"Problem ({level}): {problem}" for problem in found]
        rows += [
            ("groups", ", ".join(map(str, self.groups))),
            ("reference group", str(self.groups[0])),
        ]
        if self.free:
            rows.append(("free across groups (partial invariance)", ", ".join(self.free)))
        for level in self.levels:
            verdict = self.table.loc[level, "verdict"]
            rows.append((level, "" if pd.isna(verdict) else str(verdict)))
        notes += [
            f"Criteria for {level}: {self.table.loc[level, 'criteria']}" for level in self.levels
        ]
        title = f"Measurement invariance across {self.group!r} ({self.estimator})"
        return Summary(title, tuple(rows), tuple(notes), self.table[columns])

    def _repr_fields(self) -> list[tuple[str, Any]]:
        verdicts = {lvl: self.table.loc[lvl, "verdict"] for lvl in self.levels[1:]}
        return [("estimator", self.estimator), ("group", self.group), ("verdicts", verdicts)]
