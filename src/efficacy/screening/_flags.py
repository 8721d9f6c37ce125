"""Flags, the reasons written out per respondent, and the notes on undefined indices.

Text per respondent is built once per distinct pattern of flags (or of undefined
indices), never once per respondent.

Examples
--------
>>> import numpy as np, pandas as pd
>>> patterns(np.array([[True, False], [True, True], [False, False]]), ["a", "b"],
...          pd.RangeIndex(3)).tolist()
['a', 'a; b', '']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from efficacy.screening._cutoffs import Rule

#: Why an index is NaN for a respondent, by column.
NAN_REASONS = {
    "longstring": "no answers",
    "irv": "fewer than 2 answers",
    "mahalanobis": "no answers or no usable covariance matrix",
    "even_odd": "fewer than 2 subscales with both even and odd answers, or constant means",
    "psychsyn": "fewer than 3 answered synonym pairs, or no variation over them",
    "psychant": "fewer than 3 answered antonym pairs, or no variation over them",
    "person_total_r": "fewer than 3 answers, or the same answer to every item",
    "seconds_per_item": "no duration",
}


def flag_table(indices: pd.DataFrame, rules: dict[str, Rule], n_items: int) -> pd.DataFrame:
    from scipy import stats

    flags: dict[str, np.ndarray] = {}
    for key, rule in rules.items():
        if rule.cutoff is None or rule.index not in indices:
            continue
        values = indices[rule.index].to_numpy(dtype=float)
        cutoff = float(rule.cutoff)
        if key == "mahalanobis":
            cutoff = float(stats.chi2.ppf(rule.cutoff, n_items))
        with np.errstate(invalid="ignore"):
            flag = {
                ">": values > cutoff,
                ">=": values >= cutoff,
                "<": values < cutoff,
                "<=": values <= cutoff,
            }[rule.op]
        flags[f"{rule.index}_flag"] = flag
    return pd.DataFrame(flags, index=indices.index, dtype=bool)


def patterns(matrix: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """Join the labels of the true cells of each row, by distinct row pattern."""
    if matrix.shape[1] == 0:
        return pd.Series("", index=index, dtype=object)
    codes = np.zeros(matrix.shape[0], dtype=np.int64)
    for j in range(matrix.shape[1]):
        codes |= matrix[:, j].astype(np.int64) << j
    texts = np.empty(int(codes.max()) + 1, dtype=object)
    for code in np.flatnonzero(np.bincount(codes)):  # the distinct patterns only
        texts[code] = "; ".join(lab for j, lab in enumerate(labels) if code >> j & 1)
    return pd.Series(texts[codes], index=index, dtype=object)


def reasons_column(flags: pd.DataFrame, rules: dict[str, Rule], n_items: int) -> pd.Series:
    words = {f"{r.index}_flag": r.describe(n_items) for r in rules.values()}
    return patterns(flags.to_numpy(), [words[c] for c in flags.columns], flags.index).rename(
        "reasons"
    )


def notes_column(columns: dict[str, np.ndarray], index: pd.Index) -> pd.Series:
    names = [c for c in NAN_REASONS if c in columns]
    missing = np.column_stack([np.isnan(columns[c]) for c in names])
    labels = [f"{c}: {NAN_REASONS[c]}" for c in names]
    return patterns(missing, labels, index).rename("notes")


def rules_frame(rules: dict[str, Rule], n_items: int) -> pd.DataFrame:
    rows = [
        {
            "index": r.index,
            "rule": r.describe(n_items),
            "cutoff": r.cutoff,
            "source": r.source,
        }
        for r in rules.values()
    ]
    return pd.DataFrame(rows, index=pd.Index(list(rules), name="rule_key"))
