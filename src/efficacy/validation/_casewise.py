"""Case-wise moments: what the robust (MLR) corrections need from the complete rows.

The normal-theory scores of one row, in the model and in the saturated model, are
affine in ``e = x - m`` and ``vech(e e')`` for a reference mean ``m``. So the mean
outer product of the scores (the "meat" of the sandwich and the ``B`` of the
Yuan-Bentler trace) is a quadratic form in the first four moments of the rows
around their mean: ``E[c]``, ``E[c c']``, ``E[c w']`` and ``E[w w']`` with
``c = x - mean`` and ``w = vech(c c')``. :class:`CaseMoments` holds them; it is
built from rows in memory (:meth:`CaseMoments.from_rows`) or from sums added over
the partitions of a larger frame (:func:`moment_sums`, :meth:`CaseMoments.from_sums`),
and :func:`score_outer` is the one formula both use.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(200, 3))
>>> mom = CaseMoments.from_rows(x)
>>> mom.fourth.shape, bool(np.allclose(mom.second, np.cov(x.T, bias=True)))
((6, 6), True)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

#: cells of ``(c, vech(c c'))`` built at a time (about 32 MB)
BLOCK_CELLS = 4_000_000


def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of the lower triangle, in the order used here."""
    return np.tril_indices(p)


def _one_blas_thread(n_rows: int, block: int) -> contextlib.AbstractContextManager:
    """One BLAS thread for the block products (when there is more than one block).

    The products are skinny (block rows x a few dozen columns) and memory-bound: a
    second BLAS thread gains nothing and, on a busy machine or under dask's own
    threads, its spin-waiting makes them many times slower.
    """
    if n_rows <= block:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def moment_sums(centred: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sums over the rows of ``c``, ``c c'``, ``c w'`` and ``w w'`` (``w = vech(c c')``).

    ``centred`` holds complete rows less a mean; sums of parts add up to the sums of
    the whole, which is how partitions of a dask frame are combined. The rows are
    taken in blocks: each block's ``u = (c, w)`` gives the three products at once as
    ``u' u``.
    """
    centred = np.asarray(centred, dtype=float)
    n, p = centred.shape
    width = p + p * (p + 1) // 2
    block = max(1024, BLOCK_CELLS // width)
    s1 = np.zeros(p)
    total = np.zeros((width, width))
    u = np.empty((min(n, block), width))
    with _one_blas_thread(n, block):
        for start in range(0, n, block):
            c = centred[start : start + block]
            part = u[: len(c)]
            part[:, :p] = c
            at = p
            for r in range(p):  # vech order: row r, columns 0..r
                np.multiply(c[:, r : r + 1], c[:, : r + 1], out=part[:, at : at + r + 1])
                at += r + 1
            s1 += c.sum(axis=0)
            total += part.T @ part
    return n, s1, total[:p, :p], total[:p, p:], total[p:, p:]


@dataclass(frozen=True)
class CaseMoments:
    """Moments of one group's complete rows around ``mean`` (``c = x - mean``).

    ``first`` is ``E[c]`` (zero up to rounding when ``mean`` is the rows' mean),
    ``second`` ``E[c c']``, ``third`` ``E[c w']`` and ``fourth`` ``E[w w']``, with
    ``w = vech(c c')`` in the order of :func:`vech_index`; all with divisor ``n``.
    """

    n: int
    mean: np.ndarray
    first: np.ndarray
    second: np.ndarray
    third: np.ndarray
    fourth: np.ndarray

    @classmethod
    def from_sums(
        cls,
        mean: np.ndarray,
        n: int,
        s1: np.ndarray,
        s2: np.ndarray,
        s3: np.ndarray,
        s4: np.ndarray,
    ) -> CaseMoments:
        """From :func:`moment_sums` of the rows less ``mean`` (added over parts)."""
        if n < 1:
            raise ValueError("case-wise moments need at least one row")
        second = s2 / n
        fourth = s4 / n
        return cls(
            n=int(n),
            mean=np.asarray(mean, dtype=float),
            first=s1 / n,
            second=(second + second.T) / 2,
            third=s3 / n,
            fourth=(fourth + fourth.T) / 2,
        )

    @classmethod
    def from_rows(cls, x: np.ndarray, mean: np.ndarray | None = None) -> CaseMoments:
        """From complete rows in memory, around ``mean`` (default: their mean)."""
        x = np.asarray(x, dtype=float)
        mean = x.mean(axis=0) if mean is None else np.asarray(mean, dtype=float)
        return cls.from_sums(mean, *moment_sums(x - mean))


def score_outer(
    moments: CaseMoments,
    a_e: np.ndarray,
    a_w: np.ndarray,
    b: np.ndarray,
    shift: np.ndarray | None = None,
) -> np.ndarray:
    """``E[s s']`` over the rows for the scores ``s = a_e e + a_w vech(e e') + b``.

    ``e = x - mean + shift`` (``shift`` = the moments' mean less the reference mean
    the scores are taken at; zero by default). With ``c = x - mean`` and
    ``w = vech(c c')``, ``vech(e e') = w + H c + vech(d d')`` (``d = shift``), so
    ``s = A u + beta`` for ``u = (c, w)``, and ``E[s s'] = [A beta] Omega [A beta]'``
    with ``Omega`` the second moments of ``(c, w, 1)``.
    """
    p = moments.mean.size
    rows, cols = vech_index(p)
    q = rows.size
    d = np.zeros(p) if shift is None else np.asarray(shift, dtype=float)
    # vech(c d' + d c'): element (r, s) is c_r d_s + c_s d_r
    h = np.zeros((q, p))
    np.add.at(h, (np.arange(q), rows), d[cols])
    np.add.at(h, (np.arange(q), cols), d[rows])
    a_u = np.hstack([a_e + a_w @ h, a_w])
    beta = b + a_e @ d + a_w @ (d[rows] * d[cols])
    mean_w = moments.second[rows, cols]
    omega = np.zeros((p + q + 1, p + q + 1))
    omega[:p, :p] = moments.second
    omega[:p, p : p + q] = moments.third
    omega[p : p + q, :p] = moments.third.T
    omega[p : p + q, p : p + q] = moments.fourth
    omega[:p, -1] = omega[-1, :p] = moments.first
    omega[p : p + q, -1] = omega[-1, p : p + q] = mean_w
    omega[-1, -1] = 1.0
    full = np.hstack([a_u, beta[:, None]])
    out = full @ omega @ full.T
    return (out + out.T) / 2
