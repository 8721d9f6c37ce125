"""The sufficient statistics of ``alpha()`` in one pass over the data.

:func:`alpha_moments` reads the item matrix once, in row chunks that stay in cache,
and returns everything R psych's ``alpha()`` derives from the raw data: the
covariance matrix of the (reverse-keyed) items with R's ``use=`` semantics, the
pairwise correlation matrix, the item counts, means and SDs, the mean and SD of the
row-mean total and the item-total correlations ``cor(total, x, use=use)``.

Reverse keying never touches the data: a reversed item ``a - x`` has centred values
``-(x - c)`` around the centre ``a - c``, so the signs go on the sums afterwards.
Sums are taken around a provisional centre (the first chunk's rounded item means)
and corrected exactly afterwards, which keeps them well conditioned without a separate
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

#: Raw (uncentred) sums are kept when no item's squared mean exceeds this multiple of
#: its variance (cancellation then costs at most about 4 of 16 digits).
RAW_SUMS_RATIO = 1e4

#: Width of the window of integer codes counted per item, centred on its rounded
#: first-chunk mean: it holds any item whose range is at most 15.
CODE_WINDOW = 32


#: Adding 1.5 * 2**52 to a double below 2**51 in magnitude leaves its nearest integer
#: in the low mantissa bits: read as int64, minus the constant's own bits, it is that
#: integer. Two plain additions instead of a slow float-to-int conversion.
_MAGIC = 1.5 * 2.0**52
_MAGIC_BITS = np.array(_MAGIC).view(np.int64)


class _CodeCounter:
    """Counts integer response codes per item while each chunk is in cache.

    It reads the chunk as the covariance pass sees it: ``z = x - c`` with integer
    centres ``c`` (``x`` itself plus ``shift = -c``). Items are counted in pairs: each row's
    ``(z_a, z_b)`` becomes the bin
    ``W * (z_a + W/2) + (z_b + W/2)`` of the pair's ``W x W`` table (``W`` =
    :data:`CODE_WINDOW`), so one ``bincount`` handles two items at once. Whether
    every value was an integer inside its window is settled once, at the end
    (:meth:`result`): each item's counts must reproduce its number of answers and
    its exact sums of ``z`` and ``z**2``, which the covariance pass computed anyway
    (sums of integers are exact in floating point).
    """

    def __init__(
        self, k: int, rows: int, enabled: bool = True, shift: np.ndarray | None = None
    ) -> None:
        width, half = CODE_WINDOW, CODE_WINDOW // 2
        pairs = (k + 1) // 2
        self.k = k
        const = np.arange(pairs) * width**2 + width * half + half + _MAGIC
        if shift is not None:
            const[: (k + 1) // 2] += width * shift[0::2]
            const[: k // 2] += shift[1::2]
        self.const = np.tile(const, (rows, 1))  # full size: fast contiguous adds
        self.counts = np.zeros(pairs * width**2, dtype=np.int64)
        self.fbuf = np.empty((rows, pairs))
        self.ok = enabled

    def add(self, z: np.ndarray) -> None:
        """Count a chunk (finite; missing cells set to 0, see :meth:`result`)."""
        if not self.ok:
            return
        n, k = z.shape
        f = self.fbuf[:n]
        np.multiply(z[:, 0::2], float(CODE_WINDOW), out=f)
        np.add(f[:, : k // 2], z[:, 1::2], out=f[:, : k // 2])
        np.add(f, self.const[:n], out=f)
        codes = f.view(np.int64)
        np.subtract(codes, _MAGIC_BITS, out=codes)
        if codes.size and codes.max() >= self.counts.size:  # past every window (or huge)
            self.ok = False
            return
        try:
            counts = np.bincount(codes.ravel(), minlength=self.counts.size)
        except ValueError:  # a negative bin: below every window
            self.ok = False
            return
        if counts.size > self.counts.size:  # past every window
            self.ok = False
            return
        self.counts += counts

    def result(
        self,
        centre: np.ndarray,
        item_n: np.ndarray,
        n_missing: np.ndarray,
        z_sum: np.ndarray,
        z2_sum: np.ndarray,
    ) -> CodeCounts | None:
        """The counts, if they account for every answer exactly; else None.

        ``n_missing`` missing cells per item were counted as ``z = 0``.
        """
        if not self.ok:
            return None
        half = CODE_WINDOW // 2
        pairs = self.counts.reshape(-1, CODE_WINDOW, CODE_WINDOW)
        table = np.empty((self.k, CODE_WINDOW), dtype=np.int64)
        table[0::2] = pairs.sum(axis=2)
        table[1::2] = pairs.sum(axis=1)[: self.k // 2]
        table[:, half] -= n_missing
        steps = np.arange(CODE_WINDOW) - half
        if (
            (table < 0).any()
            or not np.array_equal(table.sum(axis=1), item_n)
            or not np.array_equal((table @ steps).astype(float), z_sum)
            or not np.array_equal((table @ steps**2).astype(float), z2_sum)
        ):
            return None
        return CodeCounts(table, centre - half)


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


def _one_blas_thread(n_rows: int, k: int) -> contextlib.AbstractContextManager[object]:
    """Keep BLAS on one thread for the chunk products (when there is more than one).

    The products are skinny (chunk rows x a few dozen columns) and memory-bound: a
    second BLAS thread gains nothing and, on a busy machine, its spin-waiting makes
    them many times slower.
    """
    if n_rows <= _chunk_rows(k):
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _chunk_rows(n_cols: int) -> int:
    return max(256, CHUNK_CELLS // max(n_cols, 1))


def _centre(x: np.ndarray, rows: int) -> np.ndarray:
    """Rounded item means of the first chunk (0 for an item with no value there).

    Integer centres keep integer codes integer after centring (see
    :class:`_CodeCounter`); being within about 0.5 of the mean they condition the
    sums as well as the mean would.
    """
    head = x[:rows]
    present = ~np.isnan(head)
    count = present.sum(axis=0)
    total = np.where(present, head, 0.0).sum(axis=0)
    mean = np.divide(total, count, out=np.zeros(x.shape[1]), where=count > 0)
    return np.where(np.isfinite(mean), np.rint(mean), 0.0)


def _sum_complete(
    x: np.ndarray, centre: np.ndarray | None, counter: _CodeCounter | None
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``z'z`` and ``z'1`` with ``z = x - centre`` (``x`` itself for None).

    Returns None as soon as a chunk holds a NaN.
    """
    n, k = x.shape
    rows = min(_chunk_rows(k), n)
    buf = np.empty((rows, k)) if centre is not None else None
    ones = np.ones(rows)
    gram = np.zeros((k, k))
    sums = np.zeros(k)
    for start in range(0, n, rows):
        z = x[start : start + rows]
        if buf is not None:
            z = np.subtract(z, centre, out=buf[: z.shape[0]])
        part = z.T @ z
        if not np.isfinite(part).all():
            return None
        gram += part
        sums += ones[: z.shape[0]] @ z
        if counter is not None:
            counter.add(z)
    return gram, sums, n


@dataclass(frozen=True)
class _PairSums:
    """Sums around the centres over the rows where the items are present.

    ``zz[i, j]``: z_i z_j; ``zm[i, j]``: z_i where j is present; ``mm``: shared
    rows; ``z2m[i, j]``: z_i**2 where j is present (only if asked for); ``tz``,
    ``tm``, ``t2m``: tc z_j, tc and tc**2 over the rows where j is present (``tc``
    the centred row mean of the reverse-keyed items); ``n_t``, ``t_sum``, ``t2_sum``:
    count, tc and tc**2 over rows with any answer; ``complete``: ``[z, 1]' [z, 1]``
    over the complete rows. ``z`` is not reverse-keyed.
    """

    zz: np.ndarray
    zm: np.ndarray
    mm: np.ndarray
    z2m: np.ndarray | None
    tz: np.ndarray
    tm: np.ndarray
    t2m: np.ndarray
    n_t: float
    t_sum: float
    t2_sum: float
    complete: np.ndarray


def _sum_missing(
    x: np.ndarray,
    centre: np.ndarray,
    sign: np.ndarray,
    reflected_centre: np.ndarray,
    t_centre: float,
    squares: bool,
    counter: _CodeCounter,
) -> _PairSums:
    """Pairwise sums, chunk by chunk.

    Complete rows (most of them, usually) are gathered and contribute through
    ``[z, 1]' [z, 1]`` alone: every pairwise sum of theirs, the row-mean total
    included, is a linear or quadratic form of it. Only the incomplete rows are
    expanded into the work matrix ``L`` with columns ``z = x - centre`` (0 where
    missing), ``m`` (present indicator), ``tp`` (row has a total), ``tc``, ``tc**2``
    and, if ``squares``, ``z**2``, and summed as ``L'L``.
    """
    n, k = x.shape
    width = 3 * k + 3 if squares else 2 * k + 3
    rows = min(_chunk_rows(k), n)
    work = np.empty((rows, width))
    gathered = np.empty((rows, k))
    centre_rows = np.tile(centre, (rows, 1))
    ones_k, ones_rows = np.ones(k), np.ones(rows)
    cross = np.zeros((width, width))
    gram, sums, n_complete = np.zeros((k, k)), np.zeros(k), 0
    # a row's total of reverse-keyed values: sum_j m_j (sign_j z_j + reflected centre_j)
    row_total = np.concatenate([sign, reflected_centre])
    for start in range(0, n, rows):
        chunk = x[start : start + rows]
        incomplete = np.isnan(chunk @ ones_k)
        full = np.flatnonzero(~incomplete)
        z = np.take(chunk, full, axis=0, out=gathered[: full.size], mode="clip")
        np.subtract(z, centre_rows[: full.size], out=z)
        gram += z.T @ z
        sums += ones_rows[: full.size] @ z
        n_complete += full.size
        counter.add(z)
        part = chunk[incomplete]
        if not part.shape[0]:
            continue
        b = work[: part.shape[0]]
        z, m, tp = b[:, :k], b[:, k : 2 * k], b[:, 2 * k]
        tc, tc2 = b[:, 2 * k + 1], b[:, 2 * k + 2]
        missing = np.isnan(part)
        np.subtract(part, centre, out=z)
        np.copyto(z, 0.0, where=missing)
        np.logical_not(missing, out=m, casting="unsafe")
        count = m @ ones_k
        np.greater(count, 0, out=tp, casting="unsafe")
        np.divide(b[:, : 2 * k] @ row_total, np.maximum(count, 1.0), out=tc)
        tc -= t_centre
        tc *= tp
        np.multiply(tc, tc, out=tc2)
        if squares:
            np.multiply(z, z, out=b[:, 2 * k + 3 :])
        cross += b.T @ b
        counter.add(z)

    # complete rows: tc = w'z + t0 with w = sign / k
    w = sign / k
    t0 = reflected_centre.sum() / k - t_centre
    gw = gram @ w
    t_lin = sums @ w + t0 * n_complete
    t_quad = w @ gw + 2 * t0 * (sums @ w) + t0**2 * n_complete
    zk, mk = slice(0, k), slice(k, 2 * k)
    complete = np.empty((k + 1, k + 1))
    complete[:k, :k], complete[:k, k], complete[k, :k] = gram, sums, sums
    complete[k, k] = n_complete
    return _PairSums(
        zz=cross[zk, zk] + gram,
        zm=cross[zk, mk] + sums[:, None],
        mm=cross[mk, mk] + n_complete,
        z2m=cross[2 * k + 3 :, mk] + np.diag(gram)[:, None] if squares else None,
        tz=cross[2 * k + 1, zk] + gw + t0 * sums,
        tm=cross[2 * k + 1, mk] + t_lin,
        t2m=cross[2 * k + 2, mk] + t_quad,
        n_t=float(cross[2 * k, 2 * k] + n_complete),
        t_sum=float(cross[2 * k + 1, 2 * k] + t_lin),
        t2_sum=float(cross[2 * k + 2, 2 * k] + t_quad),
        complete=complete,
    )


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


def _complete_moments(
    zz: np.ndarray,
    s: np.ndarray,
    n_rows: float,
    reflected_centre: np.ndarray,
    item_n: np.ndarray,
    n: int,
    codes: CodeCounts | None,
) -> AlphaMoments:
    """:class:`AlphaMoments` when every row is complete, from the keyed sums.

    Parameters
    ----------
    zz, s
        Sums of squares and products and sums of the centred, keyed items.
    n_rows
        Number of rows the sums are over.
    reflected_centre
        The centres the sums are taken around, reflected for reversed items.
    item_n
        Observations per item.
    n
        Number of rows in the data.
    codes
        The response codes counted, if any.

    Returns
    -------
    AlphaMoments
        Covariances, item and total moments and ``cor(total, x)``.
    """
    k = reflected_centre.size
    rounded, cov, item_mean = _from_sums(zz, s, n_rows, reflected_centre)
    total_var, raw_r = _total_from_cov(cov)
    return AlphaMoments(
        cov=cov,
        pair_cor=None,
        n_pairs=np.full((k, k), rounded, dtype=np.int64),
        item_n=item_n,
        item_mean=item_mean,
        item_sd=np.sqrt(np.diag(cov)),
        total_mean=float(item_mean.mean()),
        total_sd=float(np.sqrt(total_var)),
        raw_r=raw_r,
        n_obs=n,
        complete=True,
        codes=codes,
    )


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
    flip = np.outer(sign, sign)
    rows = min(_chunk_rows(k), n)
    centre = _centre(x, rows)
    reflected_centre = np.where(sign < 0, reflect - centre, centre)
    # Complete data: raw sums of squares and products, no centring pass. For integer
    # codes (which the counts confirm) they are exact; otherwise, if the means are
    # large against the SDs, the sums are taken again around the means.
    counter = _CodeCounter(k, rows, enabled=count_codes, shift=-centre)
    with _one_blas_thread(n, k):
        done = _sum_complete(x, None, counter)
    if done is not None:
        raw_gram, raw_sums, n_rows = done
        item_n = np.full(k, n_rows, dtype=np.int64)
        # the same sums around the integer centres: exact for integer codes
        sums = raw_sums - n_rows * centre
        gram = raw_gram - np.outer(centre, raw_sums) - np.outer(raw_sums, centre)
        gram += n_rows * np.outer(centre, centre)
        codes = counter.result(centre, item_n, np.zeros(k, np.int64), sums, np.diag(gram))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_sq = (raw_sums / n_rows) ** 2
            unsafe = (mean_sq > RAW_SUMS_RATIO * (np.diag(raw_gram) / n_rows - mean_sq)).any()
        if codes is None and unsafe:
            centre = raw_sums / n_rows
            with _one_blas_thread(n, k):
                gram, sums, _ = _sum_complete(x, centre, None)  # type: ignore[misc]
        reflected_centre = np.where(sign < 0, reflect - centre, centre)
        return _complete_moments(
            gram * flip, sums * sign, n_rows, reflected_centre, item_n, n, codes
        )

    counter = _CodeCounter(k, rows, enabled=count_codes)
    t_centre = float(reflected_centre.mean())
    squares = pair_cor and nan_policy != "listwise"
    with _one_blas_thread(n, k):
        sums = _sum_missing(x, centre, sign, reflected_centre, t_centre, squares, counter)
    return moments_from_sums(sums, counter, n, centre, sign, reflected_centre, nan_policy)


def partial_sums(
    x: np.ndarray,
    centre: np.ndarray,
    sign: np.ndarray,
    reflected_centre: np.ndarray,
    squares: bool,
) -> tuple[_PairSums, _CodeCounter, int]:
    """The additive sums of one part of the rows (e.g. a dask partition).

    Parts summed around the same ``centre`` add up (:func:`add_sums`) to the sums of
    the whole; :func:`moments_from_sums` turns them into :class:`AlphaMoments`.
    """
    n, k = x.shape
    rows = max(1, min(_chunk_rows(k), n))
    counter = _CodeCounter(k, rows)
    t_centre = float(reflected_centre.mean())
    with _one_blas_thread(n, k):
        sums = _sum_missing(x, centre, sign, reflected_centre, t_centre, squares, counter)
    counter.const = counter.fbuf = np.empty((0, 0))  # work buffers: not carried along
    return sums, counter, n


def add_sums(
    a: tuple[_PairSums, _CodeCounter, int], b: tuple[_PairSums, _CodeCounter, int]
) -> tuple[_PairSums, _CodeCounter, int]:
    """The sums of two parts of the rows taken together."""
    fields = {}
    for name in _PairSums.__dataclass_fields__:
        left, right = getattr(a[0], name), getattr(b[0], name)
        fields[name] = None if left is None else left + right
    counter = a[1]
    counter.counts = a[1].counts + b[1].counts
    counter.ok = a[1].ok and b[1].ok
    return _PairSums(**fields), counter, a[2] + b[2]


def moments_from_sums(
    sums: _PairSums,
    counter: _CodeCounter,
    n: int,
    centre: np.ndarray,
    sign: np.ndarray,
    reflected_centre: np.ndarray,
    nan_policy: str,
) -> AlphaMoments:
    """:class:`AlphaMoments` from the sums of every row (:func:`partial_sums`)."""
    k = centre.size
    flip = np.outer(sign, sign)
    listwise = nan_policy == "listwise"
    t_centre = float(reflected_centre.mean())
    if round(float(sums.complete[k, k])) == n and np.isfinite(sums.complete).all():
        # no cell missing (parts of a dask frame): the sums alpha_moments takes then
        gram, zsum = sums.complete[:k, :k], sums.complete[:k, k]
        item_n = np.full(k, n, dtype=np.int64)
        codes = counter.result(centre, item_n, np.zeros(k, np.int64), zsum, np.diag(gram))
        return _complete_moments(gram * flip, zsum * sign, n, reflected_centre, item_n, n, codes)
    mm = sums.mm
    item_n = np.rint(np.diag(mm)).astype(np.int64)
    codes = counter.result(centre, item_n, n - item_n, np.diag(sums.zm), np.diag(sums.zz))
    # reverse keying: a reversed item's centred values are -z
    zz = sums.zz * flip
    zm = sums.zm * sign[:, None]  # [i, j]: sum of z_i where j is present
    tz = sums.tz * sign
    tm, t2m = sums.tm, sums.t2m
    n_t, t_sum, t2_sum = sums.n_t, sums.t_sum, sums.t2_sum
    gram = sums.complete if listwise else None

    n_pairs = np.rint(mm).astype(np.int64)
    pn = mm
    cor = None
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (zz - zm * zm.T / pn) / (pn - 1)
        if sums.z2m is not None:
            z2m = sums.z2m
            var_pair = (z2m - zm**2 / pn) / (pn - 1)  # var of i on the rows shared with j
            cor = cov / np.sqrt(var_pair * var_pair.T)
            np.fill_diagonal(cor, 1.0)
        n_item = np.diag(pn)
        z_sum, z2_sum = np.diag(zm), np.diag(zz)
        item_var = (z2_sum - z_sum**2 / n_item) / (n_item - 1)
        item_mean = reflected_centre + z_sum / n_item
        total_var = (t2_sum - np.float64(t_sum) ** 2 / n_t) / (n_t - 1)  # inf, not OverflowError
        total_mean = t_centre + t_sum / n_t
        if gram is None:
            tx_cov = (tz - tm * z_sum / n_item) / (n_item - 1)
            t_var = (t2m - tm**2 / n_item) / (n_item - 1)
            raw_r = tx_cov / np.sqrt(t_var * item_var)
        else:
            n_complete = round(float(gram[k, k]))
            if n_complete < 2:
                cov = np.full((k, k), np.nan)
                raw_r = np.full(k, np.nan)
            else:
                _, cov, _ = _from_sums(
                    gram[:k, :k] * flip, gram[:k, k] * sign, gram[k, k], reflected_centre
                )
                _, raw_r = _total_from_cov(cov)
            n_pairs = np.full((k, k), n_complete, dtype=np.int64)
    return AlphaMoments(
        cov=cov,
        pair_cor=cor,
        n_pairs=n_pairs,
        item_n=item_n,
        item_mean=item_mean,
        item_sd=np.sqrt(item_var),
        total_mean=float(total_mean),
        total_sd=float(np.sqrt(total_var)),
        raw_r=raw_r,
        n_obs=n,
        complete=False,
        codes=codes,
    )
