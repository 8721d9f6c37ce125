"""Item parameters of a graded model and what follows from them without fitting.

:class:`GradedParameters` holds, per item, the slope ``a``, the intercepts ``d`` and the
response codes its categories stand for. It scores persons (EAP, MAP, ML), builds the
Lord-Wingersky sum-score table and computes information, whether the parameters were
just estimated or read from an instrument file.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> pars = GradedParameters(("q1", "q2"), np.array([1.5, 1.0]),
...     (np.array([1.0, -1.0]), np.array([0.5])), (np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0])))
>>> out = pars.score(pd.DataFrame({"q1": [1, 3, None], "q2": [0, 1, None]}), "EAP")
>>> out["theta"].round(3).tolist(), out["se"].round(3).tolist()
([-0.998, 0.883, 0.0], [0.783, 0.794, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from efficacy.errors import DataError, require_columns
from efficacy.item_response._data import code_responses
from efficacy.item_response._estimate import quadrature
from efficacy.item_response._grm import category_probs, item_information, theta_derivatives

ScoreMethod = Literal["EAP", "MAP", "ML"]
#: The values of a score's ``status`` (a categorical column).
STATUS = ("ok", "no answers", "extreme", "not converged", "too few answers")
_CHUNK = 1024  # rows per block: the posterior block stays in cache
_GROUP_ROWS = 4096  # largest table of joint answer patterns of a group of items


@dataclass(frozen=True, eq=False)
class GradedParameters:
    """Slopes, intercepts and category codes of the items of one unidimensional scale."""

    names: tuple[str, ...]
    a: np.ndarray
    d: tuple[np.ndarray, ...]
    codes: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        for name, dj, cj in zip(self.names, self.d, self.codes, strict=True):
            if dj.size != cj.size - 1:
                raise DataError(
                    f"item {name!r}: {dj.size} intercepts for {cj.size} categories {cj.tolist()}"
                )
            if np.any(np.diff(dj) >= 0):
                raise DataError(f"item {name!r}: intercepts must decrease, got {dj.tolist()}")

    @property
    def n_cat(self) -> list[int]:
        """Number of categories per item."""
        return [c.size for c in self.codes]

    def flat(self) -> np.ndarray:
        """``[a_1, d_11, ..., a_2, ...]``."""
        return np.concatenate(
            [np.concatenate([[a], d]) for a, d in zip(self.a, self.d, strict=True)]
        )

    def probabilities(self, theta: np.ndarray) -> list[np.ndarray]:
        """Per item, category probabilities ``(K_j, len(theta))``."""
        theta = np.asarray(theta, dtype=float)
        return [category_probs(a, d, theta) for a, d in zip(self.a, self.d, strict=True)]

    def item_information(self, theta: np.ndarray) -> np.ndarray:
        """Information per item, ``(n_items, len(theta))``."""
        theta = np.asarray(theta, dtype=float)
        return np.vstack(
            [item_information(a, d, theta) for a, d in zip(self.a, self.d, strict=True)]
        )

    # ------------------------------------------------------------------ scoring

    def code(self, data: pd.DataFrame) -> np.ndarray:
        """The model's items of ``data`` as 0-based categories (-1 missing), checked."""
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        require_columns(data, list(self.names))
        frame = data[list(self.names)]
        fast = self._code_evenly(frame)
        if fast is not None:
            return fast
        return code_responses(frame, list(self.codes), warn_unobserved=False).categories

    def _trusts(self, codes: np.ndarray | None) -> bool:
        """True when every item's categories are exactly ``codes``, evenly spaced."""
        if codes is None or codes.size < 2:
            return False
        step = codes[1] - codes[0]
        if not np.all(codes == codes[0] + step * np.arange(codes.size)):
            return False
        return all(c.shape == codes.shape and np.all(c == codes) for c in self.codes)

    def _code_checked(self, data: pd.DataFrame, codes: np.ndarray | None) -> np.ndarray | None:
        if not self._trusts(codes):
            return None
        require_columns(data, list(self.names))
        values = data[list(self.names)].to_numpy(dtype=float, na_value=np.nan)
        return self._grid_categories(values, codes)  # type: ignore[arg-type]

    @staticmethod
    def _grid_categories(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
        step = codes[1] - codes[0]
        index = values - codes[0]
        if step != 1:
            index /= step
            np.rint(index, out=index)
        np.copyto(index, -1.0, where=np.isnan(values))
        return index  # whole numbers as floats: the EAP path needs no integer copy

    def _code_evenly(self, frame: pd.DataFrame) -> np.ndarray | None:
        """All items share evenly spaced codes and every cell is one of them: code the
        whole matrix at once. None otherwise (the item-by-item path names bad cells)."""
        first = self.codes[0]
        step = np.diff(first)
        if first.size < 2 or not np.all(first == first[0] + step[0] * np.arange(first.size)):
            return None
        if any(c.shape != first.shape or np.any(c != first) for c in self.codes):
            return None
        if not all(
            pd.api.types.is_float_dtype(t) or pd.api.types.is_integer_dtype(t) for t in frame.dtypes
        ):
            return None
        values = frame.to_numpy(dtype=float, na_value=np.nan)
        index = np.rint((values - first[0]) / step[0])
        # codes are first[0] + k * step[0], so a valid cell is reproduced exactly
        valid = (index >= 0) & (index < first.size) & (first[0] + index * step[0] == values)
        missing = np.isnan(values)
        if not np.all(valid | missing):
            return None
        index[missing] = -1
        return index.astype(np.int16)

    def eap(self, categories: np.ndarray, n_points: int = 61) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and SD of theta on the quadrature grid, per row."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):  # thin products: threads only cost time
            nodes, tables, strides, widths = self._eap_tables(n_points)
            filled = np.where(categories < 0, widths - 1.0, categories)
            return self._eap_sums(nodes, tables, filled @ strides)

    def _eap_grid(
        self, values: np.ndarray, codes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`eap` straight from values on the evenly spaced ``codes`` (NaN missing);
        also the number of answered items per row."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            nodes, tables, strides, widths = self._eap_tables(61)
            missing = np.isnan(values)
            answered = values.shape[1] - np.count_nonzero(missing, axis=1)
            step = codes[1] - codes[0]
            if step == 1:
                # "not answered" is the code one past the last; the offset of the first
                # code moves every group's row number by the same whole number
                filled = np.where(missing, codes[0] + widths - 1.0, values)
                # groups x persons, then a view persons x groups: _eap_sums needs each
                # group's row numbers contiguous
                rows = (strides.T @ filled.T - codes[0] * strides.sum(axis=0)[:, None]).T
            else:
                position = (values - codes[0]) / step
                np.rint(position, out=position)
                rows = np.where(missing, widths - 1.0, position) @ strides
            theta, sd = self._eap_sums(nodes, tables, rows)
            return theta, sd, answered

    def _eap_tables(
        self, n_points: int
    ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
        nodes, weights = quadrature(n_points)
        # Items are taken in groups whose joint answer patterns (with "not answered" as
        # one more answer) index a table of summed log-probabilities: a person's
        # log-likelihood is then the sum of a few table rows instead of one per item.
        tables: list[np.ndarray] = []
        strides = np.zeros((len(self.names), 0))
        group_table, size = np.log(weights)[None, :], 1
        widths = []
        for j, probs in enumerate(self.probabilities(nodes)):
            width = probs.shape[0] + 1
            if size * width > _GROUP_ROWS and size > 1:
                tables.append(group_table)
                group_table, size = np.zeros((1, nodes.size)), 1
            if size == 1:
                strides = np.hstack([strides, np.zeros((strides.shape[0], 1))])
            own = np.vstack([np.log(probs), np.zeros((1, nodes.size))])
            group_table = (group_table[:, None, :] + own[None, :, :]).reshape(-1, nodes.size)
            strides[:j, -1] *= width  # earlier items of the group move up one place
            strides[j, -1] = 1.0
            size *= width
            widths.append(width)
        tables.append(group_table)
        # "not answered" is each item's last row; a group's row is then a number in
        # mixed radix, one matrix product for all groups
        return nodes, tables, strides, np.array(widths, dtype=float)

    def _eap_sums(
        self,
        nodes: np.ndarray,
        tables: list[np.ndarray],
        rows: np.ndarray,
        group: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and SD per row of table row numbers ``rows`` (persons x groups).

        ``group``: score each distinct answer pattern once and copy its result to every
        row with that pattern (True), score row by row (False), or decide by size (None:
        group when there are no more possible patterns than rows).
        """
        sizes = [table.shape[0] for table in tables]
        if group is None:
            group = len(tables) > 1 and int(np.prod(sizes, dtype=float)) <= rows.shape[0]
        if group:
            distinct, inverse = _distinct_rows(rows, sizes)
            theta, sd = self._eap_sums(nodes, tables, distinct, group=False)
            return theta[inverse], sd[inverse]
        index = np.ascontiguousarray(rows.astype(np.intp).T)
        n_rows = rows.shape[0]
        moments = np.column_stack([np.ones_like(nodes), nodes, nodes**2])
        # The same tables as probabilities: a person's likelihood times the prior is a
        # product of a few table rows. Products cannot overflow (all factors <= 1); rows
        # whose total is so small that it may have lost precision (or underflowed) are
        # redone in logs, relative to their maximum.
        powers = [np.exp(table) for table in tables]
        if len(powers) == 1:
            sums = (powers[0] @ moments)[index[0]]  # posterior mass, first, second moment
        else:
            joint = np.empty((_CHUNK, nodes.size))
            part = np.empty((_CHUNK, nodes.size))
            sums = np.empty((n_rows, 3))
            for start in range(0, n_rows, _CHUNK):
                stop = min(start + _CHUNK, n_rows)
                rows = stop - start
                # the row numbers are in range by construction; mode="raise" would
                # buffer ``out`` (numpy's rule) and take about three times as long
                np.take(powers[0], index[0][start:stop], axis=0, out=joint[:rows], mode="clip")
                for table, group in zip(powers[1:], index[1:], strict=True):
                    np.take(table, group[start:stop], axis=0, out=part[:rows], mode="clip")
                    np.multiply(joint[:rows], part[:rows], out=joint[:rows])
                np.matmul(joint[:rows], moments, out=sums[start:stop])
        tiny = np.flatnonzero(sums[:, 0] < 1e-280)
        for begin in range(0, tiny.size, _CHUNK):
            rows = tiny[begin : begin + _CHUNK]
            low = sum(t[i[rows]] for t, i in zip(tables, index, strict=True))
            sums[rows] = np.exp(low - low.max(axis=1, keepdims=True)) @ moments
        theta = sums[:, 1] / sums[:, 0]
        sd = np.sqrt(np.maximum(sums[:, 2] / sums[:, 0] - theta**2, 0.0))
        return theta, sd

    def mode(
        self, categories: np.ndarray, prior: bool, start: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """MAP (``prior=True``) or ML theta by Newton's method; SE from the curvature.

        Returns theta, SE and whether each row's Newton iteration converged.
        """
        theta = start.astype(float).copy()
        done = np.zeros(theta.size, dtype=bool)
        for _ in range(100):
            grad, curv = self._theta_derivatives(categories, theta, prior)
            step = np.clip(-grad / np.minimum(curv, -1e-12), -1.0, 1.0)
            theta = np.where(done, theta, theta + step)
            done |= np.abs(step) < 1e-10
            if done.all():
                break
        grad, curv = self._theta_derivatives(categories, theta, prior)
        converged = np.abs(grad) < 1e-6
        return theta, 1.0 / np.sqrt(-np.minimum(curv, -1e-300)), converged

    def _theta_derivatives(
        self, categories: np.ndarray, theta: np.ndarray, prior: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        grad = -theta if prior else np.zeros_like(theta)
        curv = -np.ones_like(theta) if prior else np.zeros_like(theta)
        for j, (a, d) in enumerate(zip(self.a, self.d, strict=True)):
            seen = categories[:, j] >= 0
            if not seen.any():
                continue
            _, g, c = theta_derivatives(a, d, theta[seen], categories[seen, j])
            grad[seen] += g
            curv[seen] += c
        return grad, curv

    def score(
        self,
        data: pd.DataFrame,
        method: ScoreMethod = "EAP",
        *,
        checked_codes: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """theta, se, T (50 + 10 theta), answered items and a flag per row of ``data``.

        ``status`` is ``"ok"``; ``"no answers"`` (EAP and MAP: the prior, ML: NaN);
        ``"extreme"`` for ML when every answer is in an item's lowest or every one in
        its highest category (theta is then -inf or +inf); ``"not converged"``.
        ``checked_codes``: the data were already checked to hold only these codes
        (as :func:`efficacy.item_responses` guarantees for an instrument's scale); when
        every item's categories are exactly these codes, the check is not repeated.
        """
        if method not in ("EAP", "MAP", "ML"):
            raise DataError(f"method must be 'EAP', 'MAP' or 'ML', got {method!r}")
        categories = self._code_checked(data, checked_codes)
        if categories is None:
            categories = self.code(data)
        return self._score(categories, data.index, method)

    def score_checked(
        self,
        values: np.ndarray,
        index: pd.Index,
        codes: np.ndarray,
        method: ScoreMethod = "EAP",
    ) -> pd.DataFrame:
        """:meth:`score` for a float matrix (columns in ``names`` order) that was already
        checked to hold only ``codes`` or NaN, as an instrument's coded responses are."""
        if method not in ("EAP", "MAP", "ML"):
            raise DataError(f"method must be 'EAP', 'MAP' or 'ML', got {method!r}")
        if self._trusts(codes):
            if method == "EAP":
                return self._score(None, index, method, self._eap_grid(values, codes))
            categories = self._grid_categories(values, codes)
        else:
            categories = self.code(pd.DataFrame(values, index=index, columns=list(self.names)))
        return self._score(categories, index, method)

    def _score(
        self,
        categories: np.ndarray | None,
        index: pd.Index,
        method: str,
        eap: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> pd.DataFrame:
        if eap is None:
            assert categories is not None
            if method != "EAP" and categories.dtype.kind == "f":
                categories = categories.astype(np.int16)
            answered = (categories >= 0).sum(axis=1)
            theta, se = self.eap(categories)
        else:
            theta, se, answered = eap
        status = np.where(answered == 0, 1, 0).astype(np.int8)  # codes into STATUS
        theta[answered == 0], se[answered == 0] = 0.0, 1.0  # the N(0, 1) prior itself
        if method != "EAP":
            ok = np.ones(theta.size, dtype=bool)
            if method == "ML":
                top = np.array([k - 1 for k in self.n_cat])
                seen = categories >= 0
                lowest = np.all(~seen | (categories == 0), axis=1) & (answered > 0)
                highest = np.all(~seen | (categories == top), axis=1) & (answered > 0)
                ok = (answered > 0) & ~lowest & ~highest
                status[lowest | highest] = 2
            mode_theta, mode_se, conv = self.mode(categories[ok], method == "MAP", theta[ok])
            theta = theta.copy()
            se = se.copy()
            theta[ok], se[ok] = mode_theta, mode_se
            bad = np.flatnonzero(ok)[~conv]
            status[bad] = 3
            if method == "ML":
                theta[answered == 0] = np.nan
                se[answered == 0] = np.nan
                theta[lowest], theta[highest] = -np.inf, np.inf
                se[lowest | highest] = np.inf
        out = pd.DataFrame(
            {"theta": theta, "se": se, "T": 50.0 + 10.0 * theta, "n_answered": answered},
            index=index,
        )
        out["status"] = pd.Categorical.from_codes(status, categories=STATUS)
        return out

    # ------------------------------------------------------------ sum scores

    def sum_score_table(self, n_points: int = 61) -> pd.DataFrame:
        """EAP[theta | sum score] and its SD by the Lord-Wingersky recursion.

        The sum score adds the items' codes; it needs whole-number codes.
        """
        for name, c in zip(self.names, self.codes, strict=True):
            if not np.allclose(c, np.round(c)):
                raise DataError(f"item {name!r}: a sum score needs whole-number codes, got {c}")
        nodes, weights = quadrature(n_points)
        dist = np.ones((1, nodes.size))
        low = 0
        for probs, c in zip(self.probabilities(nodes), self.codes, strict=True):
            steps = np.round(c - c[0]).astype(int)
            new = np.zeros((dist.shape[0] + steps[-1], nodes.size))
            for k, shift in enumerate(steps):
                new[shift : shift + dist.shape[0]] += dist * probs[k]
            dist = new
            low += round(float(c[0]))
        joint = dist * weights
        marginal = joint.sum(axis=1)
        keep = marginal > 0
        post = joint[keep] / marginal[keep, None]
        mean = post @ nodes
        sd = np.sqrt(np.maximum(post @ nodes**2 - mean**2, 0.0))
        scores = low + np.flatnonzero(keep)
        return pd.DataFrame(
            {
                "sum_score": scores,
                "theta": mean,
                "se": sd,
                "T": 50 + 10 * mean,
                "probability": marginal[keep],
            }
        )

    def marginal_reliability(self) -> float:
        """``integral I(t) / (I(t) + 1) phi(t) dt`` over the N(0, 1) trait (as mirt)."""
        nodes, weights = np.polynomial.hermite_e.hermegauss(101)
        info = self.item_information(nodes).sum(axis=0)
        return float(np.sum(weights * info / (info + 1.0)) / np.sqrt(2 * np.pi))


def _distinct_rows(rows: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of table row numbers and, per row, which distinct row it is.

    The rows are numbered in mixed radix (``sizes``: rows of each table) and the
    distinct numbers are marked in an array with one entry per possible pattern, so no
    sort is needed; distinct rows come in ascending order of their number.

    Examples
    --------
    >>> distinct, inverse = _distinct_rows(np.array([[1.0, 2.0], [0.0, 1.0], [1.0, 2.0]]), [2, 3])
    >>> distinct.tolist(), inverse.tolist()
    ([[0.0, 1.0], [1.0, 2.0]], [1, 0, 1])
    """
    key = np.zeros(rows.shape[0], dtype=np.int64)
    for column, size in zip(rows.T, sizes, strict=True):
        key *= size
        key += column.astype(np.int64)
    total = int(np.prod(sizes, dtype=np.int64))
    seen = np.zeros(total, dtype=bool)
    seen[key] = True
    numbers = np.flatnonzero(seen)
    position = np.empty(total, dtype=np.intp)
    position[numbers] = np.arange(numbers.size)
    distinct = np.empty((numbers.size, len(sizes)))
    for j in range(len(sizes) - 1, -1, -1):
        numbers, distinct[:, j] = np.divmod(numbers, sizes[j])
    return distinct, position[key]
