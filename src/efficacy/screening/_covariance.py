"""Item means and the pairwise-complete covariance and correlation matrices, by row blocks.

The same statistics as :func:`efficacy.coefficients._moments.moments` with
``nan_policy="pairwise"`` (R's ``cov``/``cor(x, use = "pairwise")``: every pair of items
on the rows where both are answered, n - 1 denominators), accumulated over row blocks so
that no n x k temporary is made: on a million respondents the screen spends its time on
the indices, not on page faults. The tests hold the two functions equal.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, np.nan], [4.0, 5.0]])
>>> mean, cov, cor = pairwise_moments(x)
>>> mean.tolist(), round(float(cov[0, 1]), 6)  # cov on rows 1, 2 and 4 only: 39/18
([2.5, 3.6666666666666665], 2.166667)
"""

from __future__ import annotations

import numpy as np

from efficacy.errors import DataError
from efficacy.screening._rowstats import row_blocks


def pairwise_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item means (answered cells), pairwise covariance and correlation matrices.

    Raises
    ------
    DataError
        When two items share fewer than 2 answered rows.
    """
    k = x.shape[1]
    total = np.zeros(k)
    count = np.zeros(k)
    blocks = row_blocks(x.shape[0])
    for rows in blocks:
        part = x[rows]
        present = ~np.isnan(part)
        total += np.where(present, part, 0.0).sum(axis=0)
        count += present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    centre = np.where(np.isnan(mean), 0.0, mean)
    n_pairs = np.zeros((k, k))
    sum_i = np.zeros((k, k))
    cross = np.zeros((k, k))
    squares = np.zeros((k, k))
    for rows in blocks:
        part = x[rows]
        present = ~np.isnan(part)
        mask = present.astype(float)
        centred = np.where(present, part - centre, 0.0)
        n_pairs += mask.T @ mask
        sum_i += centred.T @ mask  # [i, j]: x_i summed over rows where j is answered too
        cross += centred.T @ centred
        squares += (centred * centred).T @ mask
    if (n_pairs < 2).any():
        i, j = np.argwhere(n_pairs < 2)[0]
        raise DataError(
            f"items {i + 1} and {j + 1} have {int(n_pairs[i, j])} rows in common; "
            "pairwise statistics need at least 2"
        )
    cov = (cross - sum_i * sum_i.T / n_pairs) / (n_pairs - 1)
    var_i = (squares - sum_i**2 / n_pairs) / (n_pairs - 1)  # var of i on rows shared with j
    with np.errstate(invalid="ignore", divide="ignore"):
        cor = cov / np.sqrt(var_i * var_i.T)
    np.fill_diagonal(cor, 1.0)
    return mean, cov, cor
