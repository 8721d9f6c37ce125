"""The parameter table of a (multi-group) confirmatory factor model.

A model is a list of :class:`Param` rows in lavaan's layout (``lhs``, ``op``, ``rhs``,
``group``): loadings ``=~``, (co)variances ``~~`` and intercepts or latent means ``~1``.
Each row is either fixed (``free == 0``) at ``value`` or free, ``free`` being the
1-based position of its value in the parameter vector. Rows that share a ``free``
number are constrained equal (across groups, for measurement invariance).

:func:`build_model` writes the table for a factor structure, an identification rule
and a set of cross-group equality constraints, in the order lavaan lists parameters.

Examples
--------
>>> model = build_model({"F": ["a", "b", "c"]}, n_groups=1, meanstructure=False)
>>> [(p.lhs, p.op, p.rhs, p.free) for p in model.params][:3]
[('F', '=~', 'a', 0), ('F', '=~', 'b', 1), ('F', '=~', 'c', 2)]
>>> model.n_free
6
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

#: The cross-group constraints understood by :func:`build_model`, as lavaan names them.
GROUP_EQUAL = ("loadings", "intercepts", "residuals", "thresholds")


@dataclass(frozen=True)
class Param:
    """One row of the parameter table."""

    lhs: str
    op: str
    rhs: str
    group: int
    free: int
    value: float
    kind: str  # "lambda", "theta", "psi", "nu", "alpha"
    row: int
    col: int


@dataclass(frozen=True)
class Model:
    """A parameter table with the matrix positions of every row."""

    items: tuple[str, ...]
    factors: tuple[str, ...]
    n_groups: int
    meanstructure: bool
    params: tuple[Param, ...]
    group_equal: tuple[str, ...] = ()
    group_partial: tuple[str, ...] = ()
    std_lv: bool = False
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def n_free(self) -> int:
        """Number of distinct free parameters."""
        return max((p.free for p in self.params), default=0)

    def matrices(self, theta: np.ndarray, group: int) -> dict[str, np.ndarray]:
        """The model matrices of ``group`` for the parameter vector ``theta``."""
        p, m = len(self.items), len(self.factors)
        mats = {
            "lambda": np.zeros((p, m)),
            "theta": np.zeros((p, p)),
            "psi": np.zeros((m, m)),
            "nu": np.zeros(p),
            "alpha": np.zeros(m),
        }
        for par in self.params:
            if par.group != group:
                continue
            value = theta[par.free - 1] if par.free else par.value
            mat = mats[par.kind]
            if mat.ndim == 1:
                mat[par.row] = value
            elif par.kind == "lambda":
                mat[par.row, par.col] = value
            else:
                mat[par.row, par.col] = value
                mat[par.col, par.row] = value
        return mats

    def start(
        self, groups_s: Sequence[np.ndarray], groups_mean: Sequence[np.ndarray]
    ) -> np.ndarray:
        """Starting values: per factor, a one-factor fit from the leading eigenvector.

        For each factor and group, the items' covariance matrix gives loadings
        ``sqrt(ev) * v`` (sign set by the marker, rescaled so the marker's loading is 1
        under marker identification); residual variances are what the loadings leave
        of the item variances (at least a tenth of them); factor covariances start at 0.
        """
        values: dict[tuple, float] = {}
        for g in range(self.n_groups):
            s = groups_s[g]
            for j in range(len(self.factors)):
                rows = [
                    p for p in self.params if p.group == g and p.kind == "lambda" and p.col == j
                ]
                idx = [p.row for p in rows]
                sub = s[np.ix_(idx, idx)]
                ev, vec = np.linalg.eigh(sub)
                lam = np.sqrt(max(ev[-1], 1e-8)) * vec[:, -1]
                if lam[0] < 0:
                    lam = -lam
                psi = 1.0
                if not self.std_lv and abs(lam[0]) > 1e-8:
                    psi = lam[0] ** 2
                    lam = lam / lam[0]
                for p, value in zip(rows, lam, strict=True):
                    values[(g, "lambda", p.row, j)] = value
                    resid = s[p.row, p.row] - value**2 * psi
                    values[(g, "theta", p.row, p.row)] = max(resid, 0.1 * s[p.row, p.row])
                values[(g, "psi", j, j)] = psi
        start = np.zeros(self.n_free)
        count = np.zeros(self.n_free)
        for par in self.params:
            if not par.free:
                continue
            s, mean = groups_s[par.group], groups_mean[par.group]
            key = (par.group, par.kind, par.row, par.col)
            if key in values:
                value = values[key]
            elif par.kind == "theta":
                value = s[par.row, par.row] if par.row == par.col else 0.0
            elif par.kind == "nu":
                value = mean[par.row]
            else:
                value = 0.0
            start[par.free - 1] += value
            count[par.free - 1] += 1
        return start / np.maximum(count, 1)


class ParamTable:
    """A parameter table being written: rows are numbered as they are added.

    A free row gets the next ``free`` number, unless it is held equal: rows added with
    the same ``eq_key`` and the same lavaan name (``lhs op rhs``) share one number, except
    for the names in ``partial`` (lavaan's ``group.partial``), which stay free.

    Parameters
    ----------
    partial : Iterable[str]
        Names exempt from the equality constraints, as lavaan writes them.

    Examples
    --------
    >>> table = ParamTable()
    >>> table.add("F", "=~", "a", 0, "lambda", 0, 0, eq_key="loadings")
    >>> table.add("F", "=~", "a", 1, "lambda", 0, 0, eq_key="loadings")
    >>> [p.free for p in table.rows], table.n_free
    ([1, 1], 1)
    """

    def __init__(self, partial: Iterable[str] = ()) -> None:
        self.rows: list[Param] = []
        self.n_free = 0
        self._partial = set(partial)
        self._shared: dict[tuple[str, str], int] = {}

    def add(
        self,
        lhs: str,
        op: str,
        rhs: str,
        group: int,
        kind: str,
        row: int,
        col: int,
        *,
        fixed: float | None = None,
        eq_key: str | None = None,
    ) -> None:
        """Append a row: fixed at ``fixed`` when given, else free (shared by ``eq_key``)."""
        if fixed is not None:
            self.rows.append(Param(lhs, op, rhs, group, 0, float(fixed), kind, row, col))
            return
        name = f"{lhs}{op}{rhs}"
        key = (eq_key, name) if eq_key is not None and name not in self._partial else None
        if key is not None and key in self._shared:
            free = self._shared[key]
        else:
            self.n_free += 1
            free = self.n_free
            if key is not None:
                self._shared[key] = free
        self.rows.append(Param(lhs, op, rhs, group, free, 0.0, kind, row, col))


def build_model(
    factors: Mapping[str, Sequence[str]],
    *,
    n_groups: int = 1,
    meanstructure: bool = False,
    std_lv: bool = False,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    independence: bool = False,
    items: Sequence[str] | None = None,
    residual_covariances: Sequence[tuple[str, str]] = (),
) -> Model:
    """The parameter table of a CFA.

    An item listed under several factors loads on each (a cross-loading); the first item
    of each factor is its marker. ``residual_covariances`` are item pairs whose residuals
    covary (lavaan's ``x1 ~~ x2``), listed after the loadings of each group as lavaan
    lists user-specified rows. ``group_equal`` holds lavaan's ``group.equal`` names
    (``loadings``, ``intercepts``, ``residuals``); as in lavaan, ``residuals`` holds the
    residual variances equal and not the residual covariances. ``group_partial`` names
    the parameters exempt, written as lavaan does (``"gse3~1"``, ``"F=~gse3"``,
    ``"gse3~~gse3"``). With ``independence=True`` the table is lavaan's baseline model
    (item variances and, with a mean structure, intercepts only).
    """
    unknown = set(group_equal) - set(GROUP_EQUAL)
    if unknown:
        raise ValueError(f"unknown group_equal {sorted(unknown)}; use {list(GROUP_EQUAL)}")
    names = tuple(factors)
    item_list = (
        tuple(items)
        if items is not None
        else tuple(dict.fromkeys(item for name in names for item in factors[name]))
    )
    pos = {item: i for i, item in enumerate(item_list)}
    equal = set(group_equal) if n_groups > 1 else set()
    table = ParamTable(group_partial)
    add = table.add

    for g in range(n_groups):
        if not independence:
            for j, name in enumerate(names):
                for k, item in enumerate(factors[name]):
                    marker = k == 0 and not std_lv
                    add(
                        name,
                        "=~",
                        item,
                        g,
                        "lambda",
                        pos[item],
                        j,
                        fixed=1.0 if marker else None,
                        eq_key="loadings" if "loadings" in equal else None,
                    )
            for a, b in residual_covariances:
                add(a, "~~", b, g, "theta", pos[b], pos[a])
        for item in item_list:
            add(
                item,
                "~~",
                item,
                g,
                "theta",
                pos[item],
                pos[item],
                eq_key="residuals" if "residuals" in equal else None,
            )
        if not independence:
            free_var = not std_lv or (g > 0 and "loadings" in equal)
            for j, name in enumerate(names):
                add(name, "~~", name, g, "psi", j, j, fixed=None if free_var else 1.0)
            for j in range(len(names)):
                for k in range(j + 1, len(names)):
                    add(names[j], "~~", names[k], g, "psi", j, k)
        if meanstructure:
            for item in item_list:
                add(
                    item,
                    "~1",
                    "",
                    g,
                    "nu",
                    pos[item],
                    0,
                    eq_key="intercepts" if "intercepts" in equal else None,
                )
            if not independence:
                free_mean = g > 0 and "intercepts" in equal
                for j, name in enumerate(names):
                    add(name, "~1", "", g, "alpha", j, 0, fixed=None if free_mean else 0.0)
    return Model(
        items=item_list,
        factors=() if independence else names,
        n_groups=n_groups,
        meanstructure=meanstructure,
        params=tuple(table.rows),
        group_equal=tuple(group_equal),
        group_partial=tuple(group_partial),
        std_lv=std_lv,
    )
