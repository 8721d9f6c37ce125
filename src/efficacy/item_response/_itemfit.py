"""Item fit: Orlando and Thissen's S-X2 for each item of a graded model.

Persons are grouped by their sum score (0-based categories added over all items); the
extreme groups (lowest and highest possible sum), where an item's answer is fixed, are
left out. For item ``j`` and group ``s`` the model predicts the share of each category
from the Lord-Wingersky distribution of the other items' sum:

``P(x_j = k | S = s) = sum_q P_jk(t_q) f_-j(s - k | t_q) w_q / sum_q f(s | t_q) w_q``

on the fitting quadrature. ``S-X2 = sum (O - E)^2 / E`` over the cells that can occur,
with ``df = cells - groups - item parameters``; RMSEA is
``sqrt(max(S-X2/df - 1, 0) / (N - 1))``. Score groups whose expected count in any
cell is below ``mincell`` (1) are merged with a neighbour, the first with the next, the
last with the one before, others with the neighbour holding fewer persons, until none
is left. mirt's ``itemfit`` first collapses categories within polytomous rows by
further rules; with sparse tables its values can therefore differ.

S-X2 needs every item answered: incomplete rows are left out, and counted in
``n_incomplete``.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> from efficacy.item_response import irt
>>> rng = np.random.default_rng(1)
>>> trait = rng.normal(size=1000)
>>> items = pd.DataFrame({f"q{j}": (trait + rng.logistic(size=1000) > j - 2) * 1 for j in range(5)})
>>> fit = irt(items).item_fit()
>>> fit.table.columns.tolist()
['S_X2', 'df', 'p', 'RMSEA', 'groups']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from efficacy.errors import DataError
from efficacy.item_response._estimate import quadrature
from efficacy.item_response._params import GradedParameters
from efficacy.results import Result, Summary


@dataclass(frozen=True, repr=False)
class ItemFit(Result):
    """S-X2 per item.

    ``table`` has ``S_X2``, ``df``, ``p``, ``RMSEA`` and ``groups`` (score groups after
    merging) per item; ``observed`` and ``expected`` the merged tables (score groups x
    categories) per item.
    """

    table: pd.DataFrame
    n_used: int
    n_incomplete: int
    mincell: float
    observed: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    expected: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per-item table."""
        return self.table.copy()

    def summary(self) -> Summary:
        """The rows used and left out, the items that misfit, and the S-X2 table.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from efficacy.item_response import irt
        >>> rng = np.random.default_rng(1)
        >>> trait = rng.normal(size=500)
        >>> items = pd.DataFrame(
        ...     {f"q{j}": (trait + rng.logistic(size=500) > j - 2) * 1 for j in range(4)}
        ... )
        >>> summary = irt(items).item_fit().summary()
        >>> dict(summary.rows)["rows used"]
        '500 complete rows (0 incomplete rows left out)'
        """
        misfit = int((self.table["p"] < 0.05).sum())
        rows = (
            (
                "rows used",
                f"{self.n_used} complete rows ({self.n_incomplete} incomplete rows left out)",
            ),
            ("items", str(len(self.table))),
            ("items with p < .05", f"{misfit} of {len(self.table)}"),
            ("mincell", f"{self.mincell:g}"),
        )
        notes = [
            "S-X2 needs every item answered: incomplete rows are left out.",
            f"Score groups with an expected count below {self.mincell:g} in any cell are "
            "merged with a neighbour; mirt's itemfit also collapses categories, so with "
            "sparse tables its values can differ.",
        ]
        return Summary("S-X2 item fit (Orlando & Thissen)", rows, tuple(notes), self.table)


def _sum_distribution(probs: list[np.ndarray]) -> np.ndarray:
    """Lord-Wingersky: P(sum of 0-based categories = s | node), (max sum + 1, nodes)."""
    dist = np.ones((1, probs[0].shape[1])) if probs else np.ones((1, 1))
    for p in probs:
        k = p.shape[0]
        new = np.zeros((dist.shape[0] + k - 1, dist.shape[1]))
        for c in range(k):
            new[c : c + dist.shape[0]] += dist * p[c]
        dist = new
    return dist


def expected_shares(pars: GradedParameters, n_points: int = 61) -> list[np.ndarray]:
    """Per item, ``P(x_j = k | S = s)`` as (max sum + 1, K_j); NaN where S = s is impossible
    and 0 where ``x_j = k`` cannot go with ``S = s``."""
    nodes, weights = quadrature(n_points)
    probs = pars.probabilities(nodes)
    full = _sum_distribution(probs) @ weights
    out = []
    for j, pj in enumerate(probs):
        rest = _sum_distribution(probs[:j] + probs[j + 1 :])
        share = np.zeros((full.size, pj.shape[0]))
        for k in range(pj.shape[0]):
            share[k : k + rest.shape[0], k] = (rest * pj[k]) @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(share / full[:, None])
    return out


def _merge(obs: np.ndarray, exp: np.ndarray, mincell: float) -> tuple[np.ndarray, np.ndarray]:
    obs, exp = obs.copy(), exp.copy()
    while exp.shape[0] > 1:
        low = np.any((exp < mincell) & (exp > 0), axis=1)
        if not low.any():
            break
        row = int(np.flatnonzero(low)[0])
        if row == 0:
            into = 1
        elif row == exp.shape[0] - 1:
            into = row - 1
        else:
            into = row - 1 if obs[row - 1].sum() <= obs[row + 1].sum() else row + 1
        obs[into] += obs[row]
        exp[into] += exp[row]
        obs, exp = np.delete(obs, row, axis=0), np.delete(exp, row, axis=0)
    return obs, exp


def item_fit(pars: GradedParameters, categories: np.ndarray, mincell: float = 1.0) -> ItemFit:
    """S-X2 of every item from the coded responses the model was fitted to."""
    from scipy.stats import chi2

    complete = np.all(categories >= 0, axis=1)
    data = categories[complete]
    if data.shape[0] == 0:
        raise DataError("S-X2 needs complete rows (every item answered); there are none")
    total = data.sum(axis=1)
    top = int(sum(k - 1 for k in pars.n_cat))
    groups = np.bincount(total, minlength=top + 1).astype(float)
    shares = expected_shares(pars)
    rows = []
    observed, expected = {}, {}
    for j, name in enumerate(pars.names):
        k = pars.n_cat[j]
        obs = np.zeros((top + 1, k))
        np.add.at(obs, (total, data[:, j]), 1.0)
        exp = np.nan_to_num(shares[j]) * groups[:, None]
        obs, exp = obs[1:top], exp[1:top]  # the extreme sums tell nothing about an item
        keep = groups[1:top] > 0
        obs, exp = _merge(obs[keep], exp[keep], mincell)
        cells = exp > 0
        stat = float(np.sum((obs[cells] - exp[cells]) ** 2 / exp[cells]))
        df = int(cells.sum() - exp.shape[0] - k)
        p = float(chi2.sf(stat, df)) if df > 0 else np.nan
        rmsea = (
            float(np.sqrt(max(stat / df - 1.0, 0.0) / (data.shape[0] - 1))) if df > 0 else np.nan
        )
        rows.append(
            {
                "S_X2": stat if df > 0 else np.nan,
                "df": df,
                "p": p,
                "RMSEA": rmsea,
                "groups": exp.shape[0],
            }
        )
        observed[name], expected[name] = obs, exp
    table = pd.DataFrame(rows, index=pd.Index(pars.names, name="item"))
    return ItemFit(
        table=table,
        n_used=int(data.shape[0]),
        n_incomplete=int((~complete).sum()),
        mincell=mincell,
        observed=observed,
        expected=expected,
    )
