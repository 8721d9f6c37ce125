"""The result of an invariance ladder: one fitted model per level and the comparison table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficacy.results import Result
from efficacy.validation._cfa_result import CFAResult
from efficacy.validation._data import Prepared
from efficacy.validation._warnings import ModelError


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

        An item id frees its intercept (``"gse3"`` means ``"gse3~1"``); lavaan-style
        names free a loading (``"F=~gse3"``) or a residual variance (``"gse3~~gse3"``).
        """
        if self.estimator == "WLSMV":
            raise ModelError("partial invariance is not available for the ordinal ladder")
        if self._prepared is None or self._refit is None:  # pragma: no cover - set by invariance()
            raise ModelError("this result cannot be refitted")
        names = []
        for name in free:
            if name in self._prepared.items:
                names.append(f"{name}~1")
            elif any(op in name for op in ("=~", "~~", "~1")):
                names.append(name)
            else:
                raise ModelError(
                    f"cannot free {name!r}: give an item of the model "
                    f"{list(self._prepared.items)} or a lavaan name such as 'x3~1'"
                )
        return self._refit(tuple(names))

    def summary(self) -> str:
        """A text report of the ladder and the verdicts with their criteria."""
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
        lines = [
            f"Measurement invariance across {self.group!r} ({self.estimator}), groups "
            f"{list(self.groups)}",
        ]
        if self.free:
            lines.append(f"  free across groups (partial invariance): {list(self.free)}")
        text = self.table[columns].to_string(float_format=lambda v: f"{v:.4f}", na_rep="")
        lines.extend("  " + row for row in text.splitlines())
        lines.append("Criteria")
        for level in self.levels:
            lines.append(f"  {level}: {self.table.loc[level, 'criteria']}")
        return "\n".join(lines)

    def _repr_fields(self) -> list[tuple[str, Any]]:
        verdicts = {lvl: self.table.loc[lvl, "verdict"] for lvl in self.levels[1:]}
        return [("estimator", self.estimator), ("group", self.group), ("verdicts", verdicts)]
