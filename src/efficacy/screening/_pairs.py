"""Item pairs for psychometric synonyms and antonyms, and the seeded NA resampling.

careless finds pairs from the sample's item correlations (pairwise complete): every
pair below the diagonal with r above ``critval`` (synonyms) or below ``-critval``
(antonyms). efficacy can also take the pairs from the scale specification: every pair of
a positively and a reverse-keyed item of the same scale, or the pairs an instrument file
names under ``screening: antonyms``.

Examples
--------
>>> import numpy as np
>>> r = np.array([[1.0, 0.7, -0.8], [0.7, 1.0, 0.1], [-0.8, 0.1, 1.0]])
>>> correlated_pairs(r, 0.6).tolist(), correlated_pairs(r, 0.6, antonyms=True).tolist()
([[1, 0]], [[2, 0]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from efficacy.screening._rowstats import row_blocks, row_constant, row_pearson


def correlated_pairs(cor: np.ndarray, critval: float, *, antonyms: bool = False) -> np.ndarray:
    """Pairs (i, j), i > j, with r > critval (or r < -critval for antonyms).

    Ordered as R lists the lower triangle (column by column); the first member is the
    later item. NaN correlations never qualify.
    """
    critval = abs(critval)
    rows, cols = np.tril_indices(cor.shape[0], k=-1)
    values = cor[rows, cols]
    with np.errstate(invalid="ignore"):
        keep = values < -critval if antonyms else values > critval
    order = np.lexsort((rows[keep], cols[keep]))
    return np.column_stack([rows[keep][order], cols[keep][order]]).astype(np.int64)


def keyed_pairs(scales: Sequence[Sequence[int]], reversed_positions: set[int]) -> np.ndarray:
    """Reverse-keyed partners: in each scale, the i-th reverse-keyed item with the i-th
    positively keyed item, in the scale's declared order, as many pairs as the smaller
    group has items. A pair already taken (from another scale) is not repeated.

    Pairing every reversed item with every positive item would make the within-person
    correlation zero by construction (a full cross of two lists is uncorrelated), so
    the pairing is one to one.
    """
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []
    for members in scales:
        negative = [m for m in members if m in reversed_positions]
        positive = [m for m in members if m not in reversed_positions]
        for pair in zip(negative, positive, strict=False):
            if pair not in seen:
                seen.add(pair)
                pairs.append(pair)
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def resample_pairs(
    x: np.ndarray,
    pairs: np.ndarray,
    values: np.ndarray,
    rng: np.random.Generator,
    *,
    attempts: int = 10,
    min_pairs: int = 3,
) -> np.ndarray:
    """careless's ``resample_na``, seeded: re-draw NaN values by swapping pair members.

    For each row whose value is NaN although it has at least ``min_pairs`` usable
    pairs, up to ``attempts`` times: swap the two members of each pair with probability
    1/2 (independently per row and pair) and recompute the correlation; stop at the
    first defined value. Returns a new array.
    """
    out = values.copy()
    first_all = x[:, pairs[:, 0]]
    second_all = x[:, pairs[:, 1]]
    valid_all = ~np.isnan(first_all) & ~np.isnan(second_all)
    todo = np.flatnonzero(np.isnan(out) & (valid_all.sum(axis=1) >= min_pairs))
    # the same answer in every usable pair member: no swap can give a defined value
    both = np.concatenate([first_all[todo], second_all[todo]], axis=1)
    todo = todo[~row_constant(both, np.concatenate([valid_all[todo]] * 2, axis=1))]
    first_all, second_all, valid_all = first_all[todo], second_all[todo], valid_all[todo]
    for _ in range(attempts):
        if todo.size == 0:
            break
        swap = rng.random((todo.size, len(pairs))) < 0.5
        first = np.where(swap, second_all, first_all)
        second = np.where(swap, first_all, second_all)
        redrawn = np.empty(todo.size)
        for rows in row_blocks(todo.size):
            redrawn[rows] = row_pearson(
                first[rows], second[rows], valid_all[rows], min_count=min_pairs
            )
        out[todo] = redrawn
        still = np.isnan(redrawn)
        todo, first_all, second_all = todo[still], first_all[still], second_all[still]
        valid_all = valid_all[still]
    return out
