"""The state of a multi-group WLSMV fit, rebuilt from the fit and its data.

The score tests (:mod:`._modindices_groups`) and the reliability
(:mod:`._reliability`) of a multi-group WLSMV fit need its parameter table, the groups'
sample statistics and the estimates. :func:`groups_state` rebuilds the table for the
fit's constraints, reads the estimates from the fit's parameter table and checks that
the two agree (same rows, free and fixed alike; equal values for the copies held
equal; a vanishing gradient at the estimates of a converged fit). A fit that does not
pass is left without a state, and its score tests and reliability are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from efficacy.validation._modindices_groups import GroupsState, dwls_derivatives, param_table
from efficacy.validation._ordinal import OrdinalStats


def groups_stats(prepared, group: str) -> tuple[OrdinalStats, ...]:
    """The groups' sample statistics, computed as the multi-group WLSMV fit computes
    them."""
    from efficacy.validation._invariance_ordinal import _group_codes
    from efficacy.validation._ordinal import ordinal_stats

    codes = _group_codes(prepared, group)
    return tuple(ordinal_stats(c, list(prepared.items)) for c in codes)


def groups_state(
    fit, prepared, stats: Sequence[OrdinalStats], equal: Sequence[str], std_lv: bool
) -> GroupsState | None:
    """The model, statistics and estimates of a multi-group WLSMV ``fit``, or None when
    they do not reproduce it.

    The parameter table is rebuilt for the constraints ``equal`` and the estimates are
    read from ``fit.parameters``; the rebuilt table must list the same rows, free and
    fixed alike, with equal values for every constrained copy, and the gradient of the
    fit function must vanish at the estimates of a converged fit.
    """
    from efficacy.validation._wlsmv_groups import build_ordinal_groups

    model = build_ordinal_groups(
        prepared.factors,
        [len(t) for t in stats[0].thresholds],
        len(stats),
        tuple(equal),
        std_lv=std_lv,
    )
    table = fit.parameters
    labels = list(fit.groups)
    if len(table) != len(model.params):
        return None
    theta = np.full(model.n_free, np.nan)
    for par, row in zip(model.params, table.itertuples(), strict=True):
        same = (par.lhs, par.op, par.rhs, labels[par.group]) == (
            row.lhs,
            row.op,
            row.rhs,
            row.group,
        )
        if not same or bool(par.free) != bool(row.free):
            return None
        if not par.free:
            if row.est != par.value:
                return None
        elif np.isnan(theta[par.free - 1]):
            theta[par.free - 1] = row.est
        elif abs(theta[par.free - 1] - row.est) > 1e-12 * max(1.0, abs(row.est)):
            return None
    if np.isnan(theta).any():
        return None
    if fit.converged:
        grad, _ = dwls_derivatives(param_table(model, model.params), theta, stats)
        if np.max(np.abs(grad)) > 1e-6:
            return None
    return GroupsState(model=model, stats=tuple(stats), theta=theta)


def with_groups_state(fit, prepared, group: str, equal: Sequence[str] = (), stats=None):
    """``fit`` carrying its :class:`GroupsState` (unchanged when the state cannot be
    rebuilt: its modification indices and reliability are then refused)."""
    stats = groups_stats(prepared, group) if stats is None else stats
    state = groups_state(fit, prepared, stats, equal, fit.std_lv)
    return fit if state is None else replace(fit, _estimation=state)


def with_ladder_states(result, prepared, group: str):
    """An ordinal invariance result whose fits carry their :class:`GroupsState`."""
    from efficacy.validation._wlsmv_groups import ORDINAL_LEVELS

    stats = groups_stats(prepared, group)
    fits = {
        level: with_groups_state(fit, prepared, group, ORDINAL_LEVELS[level], stats)
        if level in ORDINAL_LEVELS
        else fit
        for level, fit in result.fits.items()
    }
    return replace(result, fits=fits)
