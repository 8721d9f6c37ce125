"""The checked inputs shared by standardize() and compare_to_norm():
instrument, norm table, and the norm group of each respondent."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from efficacy.errors import DataError
from efficacy.instrument._model import Instrument, NormGroup
from efficacy.instrument._norm_yaml import NormTable
from efficacy.norms._input import (
    Scores,
    assign_groups,
    check_metric,
    describe_missing_groups,
    group_columns,
    instrument_of,
    norm_table,
    scores_of,
    single_group,
)
from efficacy.validation._norm_guard import warn_norm_invariance

OnMissingGroup = Literal["raise", "nan"]


@dataclass(frozen=True)
class NormSetup:
    instrument: Instrument
    table: NormTable
    scores: Scores
    codes: np.ndarray  # per respondent, into groups; -1 no group
    groups: list[NormGroup]
    missing: list[Any]  # row labels (with a score) without a norm group


def checked_setup(
    scores: Any,
    instrument: Any,
    norm: str | NormTable,
    group: Any,
    group_data: Any,
    scale: Any,
    on_missing_group: str,
) -> NormSetup:
    if on_missing_group not in ("raise", "nan"):
        raise DataError(f"on_missing_group must be 'raise' or 'nan', got {on_missing_group!r}")
    inst = instrument_of(instrument)
    assert inst is not None
    table = norm_table(inst, norm)
    # comparing across nations or language versions needs scalar invariance across them
    warn_norm_invariance(inst, table, stacklevel=4)
    data = scores_of(scores, scale, table.scale)
    check_metric(data, inst, table)
    index = data.values.index
    covariates = group_columns(group, scores, group_data, table, index)
    if covariates is None:
        return NormSetup(
            inst, table, data, np.zeros(len(index), np.intp), [single_group(table)], []
        )
    codes, groups = assign_groups(covariates, table)
    lacking = (codes < 0) & data.values.notna().to_numpy()
    missing: list[Any] = []
    if lacking.any():
        message = describe_missing_groups(covariates, lacking, table, [g.label for g in groups])
        if on_missing_group == "raise":
            raise DataError(message + "; on_missing_group='nan' gives NaN for them instead")
        warnings.warn(message + "; their results are NaN", UserWarning, stacklevel=3)
        missing = list(index[lacking])
    return NormSetup(inst, table, data, codes, groups, missing)


def per_respondent(values: list[float], codes: np.ndarray) -> np.ndarray:
    """Each respondent's group value (NaN for respondents without a group)."""
    lookup = np.array([*values, np.nan], dtype=float)
    return lookup[np.where(codes < 0, len(values), codes)]


def provenance_of(setup: NormSetup) -> dict[str, Any]:
    table, inst = setup.table, setup.instrument
    try:
        citation = str(inst.citation(table.source.ref))
    except KeyError:
        citation = None
    info: dict[str, Any] = {
        "instrument": inst.id,
        "norm": table.id,
        "kind": table.kind,
        "population": table.population,
        "source": str(table.source),
        "citation": citation,
        "scale": table.scale,
        "metric": table.metric,
        "note": table.note,
    }
    if table.kind == "reference_data":
        info["caution"] = (
            "reference data computed from an item-level data set, not population norms"
        )
    if setup.missing:
        info["missing_group"] = list(setup.missing)
    return info
