"""The sufficient statistics of ``alpha()`` in one pass over the data.

:func:`alpha_moments` reads the item matrix once, in row chunks that stay in cache,
and returns everything R psych's ``alpha()`` derives from the raw data: the
covariance matrix of the (reverse-keyed) items with R's ``use=`` semantics, the
pairwise correlation matrix, the item counts, means and SDs, the mean and SD of the
row-mean total and the item-total correlations ``cor(total, x, use=use)``.

Reverse keying never touches the data: a reversed item ``a - x`` has centred values
``-(x - c)`` around the centre ``a - c``, so the chunk is negated in place of a copy.
Sums are taken around a provisional centre (the first chunk's item means) and
corrected exactly afterwards, which keeps them well conditioned without a separate
pass for the means.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [4.0, np.nan]])
>>> m = alpha_moments(x, sign=np.ones(2), reflect=np.zeros(2))
>>> m.cov.round(4).tolist()
[[1.6667, 0.5], [0.5, 1.0]]
>>> m.item_n.tolist(), m.total_mean
([4, 3], 2.5)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

#: Rows x columns of one chunk's work buffer (doubles): small enough for the cache.
CHUNK_CELLS = 1 << 16

#: Width of the window of integer codes counted per item, centred on its first mean.
CODE_WINDOW = 64


class _CodeCounter:
    """Counts integer response codes per item, chunk by chunk, while they are in cache.

    Item j's code ``v`` goes to bin ``j * W + v - base_j`` (``W`` = :data:`CODE_WINDOW`,
    ``base_j`` = its rounded first-chunk mean minus ``W / 2``). Counting stops (``ok``
    turns False) at the first non-integer value or one outside every window; a value
    that lands in another item's window is caught by comparing each item's total
    count with its number of answers (:meth:`result`).
    """

    def __init__(self, centre: np.ndarray, rows: int, enabled: bool = True) -> None:
        k = centre.size
        self.base = np.rint(centre) - CODE_WINDOW // 2
        self.shift = np.arange(k) * CODE_WINDOW - self.base
        self.sentinel = float(k * CODE_WINDOW)  # missing cells land past every window
        self.counts = np.zeros(k * CODE_WINDOW + 1, dtype=np.int64)
        self.fbuf = np.empty((rows, k))
        self.ibuf = np.empty((rows, k), dtype=np.intp)
        self.ok = enabled and bool(np.isfinite(self.base).all())

    def add(self, chunk: np.ndarray, missing: np.ndarray | None = None) -> None:
        if not self.ok:
            return
        n = chunk.shape[0]
        f, i = self.fbuf[:n], self.ibuf[:n]
        np.add(chunk, self.shift, out=f)
        if missing is not None:
            np.copyto(f, self.sentinel, where=missing)
        with np.errstate(invalid="ignore"):
            np.copyto(i, f, casting="unsafe")
        if not np.array_equal(i, f):
            self.ok = False
            return
        try:
            counts = np.bincount(i.ravel(), minlength=self.counts.size)
        except ValueError:  # a negative code: below every window
            self.ok = False
            return
        if counts.size > self.counts.size:
            self.ok = False
            return
        self.counts += counts

    def result(self, item_n: np.ndarray) -> CodeCounts | None:
        k = self.base.size
        if not self.ok:
            return None
        table = self.counts[:-1].reshape(k, CODE_WINDOW)
        if not np.array_equal(table.sum(axis=1), item_n):
            return None
        return CodeCounts(table, self.base)


@dataclass(frozen=True)
class CodeCounts:
    """How often each integer code occurs per item: ``counts[j, v]`` for code ``base[j] + v``."""

    counts: np.ndarray
    base: np.ndarray

    def column_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest code of each item."""
        seen = self.counts > 0
        first = np.argmax(seen, axis=1)
        last = self.counts.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)
        return self.base + first, self.base + last


@dataclass(frozen=True)
class AlphaMoments:
    """Statistics of the reverse-keyed item matrix (see the module docstring).

    ``cov`` follows ``cov(x, use=...)``; ``pair_cor`` is ``cor(x, use="pairwise")``
    (``None`` when it equals ``cov2cor(cov)``, i.e. without pairwise missingness);
    ``n_pairs`` counts the rows both items share (all rows when complete);
    ``item_*`` are over each item's present values; ``total_*`` describe the row mean
    over present items (rows with no item answered excluded); ``raw_r`` is
    ``cor(total, x_j)`` on the rows where the item is present (complete rows only
    under listwise deletion); ``complete`` tells whether no cell is missing;
    ``codes`` counts the raw integer codes per item (None for non-integer data).
    """

    cov: np.ndarray
    pair_cor: np.ndarray | None
    n_pairs: np.ndarray
    item_n: np.ndarray
    item_mean: np.ndarray
    item_sd: np.ndarray
    total_mean: float
    total_sd: float
    raw_r: np.ndarray
    n_obs: int
    complete: bool
    codes: CodeCounts | None = None


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Keep BLAS on one thread for the chunk products.

    The products are skinny (chunk rows x a few dozen columns) and memory-bound: a
    second BLAS thread gains nothing and, on a busy machine, its spin-waiting makes
    them many times slower.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _chunk_rows(n_cols: int) -> int:
    return max(256, CHUNK_CELLS // max(n_cols, 1))


def _centre(x: np.ndarray, rows: int) -> np.ndarray:
    """Item means of the first chunk (0 for an item with no value there)."""
    head = x[:rows]
    present = ~np.isnan(head)
    count = present.sum(axis=0)
    total = np.where(present, head, 0.0).sum(axis=0)
    return np.divide(total, count, out=np.zeros(x.shape[1]), where=count > 0)


def _sum_complete(
    x: np.ndarray, centre: np.ndarray, sign: np.ndarray, counter: _CodeCounter
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``z'z`` and ``z'1`` with ``z = sign * (x - centre)``; None once a NaN shows up."""
    n, k = x.shape
    rows = _chunk_rows(k)
    buf = np.empty((min(rows, n), k))
    ones = np.ones(min(rows, n))
    gram = np.zeros((k, k))
    sums = np.zeros(k)
    flip = bool((sign < 0).any())
    for start in range(0, n, rows):
        chunk = x[start : start + rows]
        z = buf[: chunk.shape[0]]
        np.subtract(chunk, centre, out=z)
        if flip:
            np.multiply(z, sign, out=z)
        part = z.T @ z
        if not np.isfinite(part).all():
            return None
        gram += part
        sums += ones[: chunk.shape[0]] @ z
        counter.add(chunk)
    return gram, sums, n


def _sum_missing(
    x: np.ndarray,
    centre: np.ndarray,
    sign: np.ndarray,
    reflected_centre: np.ndarray,
    t_centre: float,
    listwise: bool,
    squares: bool,
    counter: _CodeCounter,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Pairwise sums, chunk by chunk.

    Columns of the work matrix ``L``: ``z`` (0 where missing), ``m`` (present
    indicator), ``tp`` (row has a total), ``tc`` (centred row-mean total, 0
    without one), ``tc**2`` and, if ``squares``, ``z**2``. Returns ``L'L`` and, for
    listwise deletion, ``[z, 1]' [z, 1]`` over the complete rows.
    """
    n, k = x.shape
    width = 3 * k + 3 if squares else 2 * k + 3
    rows = min(_chunk_rows(k), n)
    buf = np.empty((rows, width))
    cross = np.zeros((width, width))
    gram = np.zeros((k + 1, k + 1)) if listwise else None
    flip = bool((sign < 0).any())
    ones = np.ones(k)
    row_total = np.concatenate([ones, reflected_centre])
    for start in range(0, n, rows):
        chunk = x[start : start + rows]
        b = buf[: chunk.shape[0]]
        z, m, tp = b[:, :k], b[:, k : 2 * k], b[:, 2 * k]
        tc, tc2 = b[:, 2 * k + 1], b[:, 2 * k + 2]
        missing = np.isnan(chunk)
        np.subtract(chunk, centre, out=z)
        if flip:
            np.multiply(z, sign, out=z)
        np.copyto(z, 0.0, where=missing)
        np.logical_not(missing, out=m, casting="unsafe")
        count = m @ ones
        np.greater(count, 0, out=tp, casting="unsafe")
        # row mean of the present reverse-keyed values: (sum z + sum of their centres) / count
        np.divide(b[:, : 2 * k] @ row_total, np.maximum(count, 1.0), out=tc)
        tc -= t_centre
        tc *= tp
        np.multiply(tc, tc, out=tc2)
        if squares:
            np.multiply(z, z, out=b[:, 2 * k + 3 :])
        cross += b.T @ b
        if gram is not None:
            full = count == k
            zc = np.ones((int(full.sum()), k + 1))
            zc[:, :k] = z[full]
            gram += zc.T @ zc
        counter.add(chunk, missing)
    return cross, gram


def _from_gram(
    gram: np.ndarray, reflected_centre: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray]:
    """Covariance and means from ``[z, 1]' [z, 1]``."""
    k = gram.shape[0] - 1
    return _from_sums(gram[:k, :k], gram[:k, k], gram[k, k], reflected_centre)


def _from_sums(
    zz: np.ndarray, s: np.ndarray, n: float, reflected_centre: np.ndarray
) -> tuple[int, np.ndarray, np.ndarray]:
    cov = (zz - np.outer(s, s) / n) / (n - 1)
    return round(float(n)), cov, reflected_centre + s / n


def _total_from_cov(cov: np.ndarray) -> tuple[float, np.ndarray]:
    """Variance of the row mean and ``cor(total, x)`` when every row is complete."""
    k = cov.shape[0]
    col = cov.sum(axis=0)
    total_var = col.sum() / k**2
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_r = col / np.sqrt(col.sum() * np.diag(cov))
    return float(total_var), raw_r


def alpha_moments(
    x: np.ndarray,
    sign: np.ndarray,
    reflect: np.ndarray,
    nan_policy: str = "pairwise",
    count_codes: bool = True,
    pair_cor: bool = False,
) -> AlphaMoments:
    """Moments of the reverse-keyed items ``where(sign < 0, reflect - x, x)``.

    Parameters
    ----------
    x
        N x k float matrix, NaN for missing; never modified.
    sign
        +1 for items as they are, -1 for reverse-keyed items.
    reflect
        Per item, the ``a`` of ``a - x`` (ignored where ``sign`` is +1).
    nan_policy
        ``"pairwise"`` or ``"listwise"`` (R's ``use="complete.obs"``: only the
        covariances and ``raw_r`` use complete rows, as in psych).

    Returns
    -------
    AlphaMoments
        Non-finite entries signal non-finite input; the caller reports them.
    """
    n, k = x.shape
    sign = np.asarray(sign, dtype=float)
    rows = _chunk_rows(k)
    centre = _centre(x, rows)
    reflected_centre = np.where(sign < 0, reflect - centre, centre)
    counter = _CodeCounter(centre, min(rows, n), enabled=count_codes)
    with _one_blas_thread():
        done = _sum_complete(x, centre, sign, counter)
    if done is not None:
        n_rows, cov, item_mean = _from_sums(*done, reflected_centre)
        total_var, raw_r = _total_from_cov(cov)
        return AlphaMoments(
            cov=cov,
            pair_cor=None,
            n_pairs=np.full((k, k), n_rows, dtype=np.int64),
            item_n=np.full(k, n_rows, dtype=np.int64),
            item_mean=item_mean,
            item_sd=np.sqrt(np.diag(cov)),
            total_mean=float(item_mean.mean()),
            total_sd=float(np.sqrt(total_var)),
            raw_r=raw_r,
            n_obs=n,
            complete=True,
            codes=counter.result(np.full(k, n_rows)),
        )

    counter = _CodeCounter(centre, min(rows, n), enabled=count_codes)
    listwise = nan_policy == "listwise"
    squares = pair_cor and not listwise
    t_centre = float(reflected_centre.mean())
    with _one_blas_thread():
        cross, gram = _sum_missing(
            x, centre, sign, reflected_centre, t_centre, listwise, squares, counter
        )
    zz = cross[:k, :k]
    zm = cross[:k, k : 2 * k]  # [i, j]: sum of z_i where j is present
    mm = cross[k : 2 * k, k : 2 * k]
    tz = cross[2 * k + 1, :k]
    tm = cross[2 * k + 1, k : 2 * k]
    t2m = cross[2 * k + 2, k : 2 * k]
    n_t, t_sum, t2_sum = cross[2 * k, 2 * k], cross[2 * k + 1, 2 * k], cross[2 * k + 2, 2 * k]

    n_pairs = np.rint(mm).astype(np.int64)
    pn = mm
    cor = None
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (zz - zm * zm.T / pn) / (pn - 1)
        if squares:
            z2m = cross[2 * k + 3 :, k : 2 * k]
            var_pair = (z2m - zm**2 / pn) / (pn - 1)  # var of i on the rows shared with j
            cor = cov / np.sqrt(var_pair * var_pair.T)
            np.fill_diagonal(cor, 1.0)
        item_n = np.diag(pn)
        z_sum, z2_sum = np.diag(zm), np.diag(zz)
        item_var = (z2_sum - z_sum**2 / item_n) / (item_n - 1)
        item_mean = reflected_centre + z_sum / item_n
        total_var = (t2_sum - t_sum**2 / n_t) / (n_t - 1)
        total_mean = t_centre + t_sum / n_t
        if gram is None:
            tx_cov = (tz - tm * z_sum / item_n) / (item_n - 1)
            t_var = (t2m - tm**2 / item_n) / (item_n - 1)
            raw_r = tx_cov / np.sqrt(t_var * item_var)
        else:
            n_complete = round(float(gram[k, k]))
            if n_complete < 2:
                cov = np.full((k, k), np.nan)
                raw_r = np.full(k, np.nan)
            else:
                _, cov, _ = _from_gram(gram, reflected_centre)
                _, raw_r = _total_from_cov(cov)
            n_pairs = np.full((k, k), n_complete, dtype=np.int64)
    return AlphaMoments(
        cov=cov,
        pair_cor=cor,
        n_pairs=n_pairs,
        item_n=np.rint(item_n).astype(np.int64),
        item_mean=item_mean,
        item_sd=np.sqrt(item_var),
        total_mean=float(total_mean),
        total_sd=float(np.sqrt(total_var)),
        raw_r=raw_r,
        n_obs=n,
        complete=False,
        codes=counter.result(np.rint(item_n).astype(np.int64)),
    )
