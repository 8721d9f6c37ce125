"""``screen``: every careless-responding index for every respondent, and the flags."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

import efficacy.screening._indices as _indices
import efficacy.screening._pairs as _pairs
from efficacy._dispatch import is_dask, on_dask
from efficacy.errors import DataError, describe_cells
from efficacy.instrument import Instrument
from efficacy.screening._covariance import pairwise_moments
from efficacy.screening._cutoffs import resolve_cutoffs
from efficacy.screening._flags import flag_table, notes_column, reasons_column, rules_frame
from efficacy.screening._inputs import ScreenData, from_instruments, from_items
from efficacy.screening._result import ScreenResult


class ScreeningWarning(UserWarning):
    """An index cannot inform on the data given (the warning says why)."""


def screen(
    data: pd.DataFrame,
    instrument: str | Instrument | Sequence[str | Instrument] | None = None,
    *,
    scales: Mapping[str, Sequence[Any]] | None = None,
    reverse: Sequence[Any] = (),
    response_range: tuple[float, float] | None = None,
    duration: str | pd.Series | None = None,
    cutoffs: Mapping[str, float | None] | None = None,
    critval: float = 0.60,
    antonyms: Literal["correlation", "keyed", "declared"] | Sequence[tuple[Any, Any]] = (
        "correlation"
    ),
    resample_na: bool = False,
    seed: int | None = None,
    on_invalid: Literal["raise", "missing"] = "raise",
) -> ScreenResult:
    """Screen respondents for careless responding with the indices of R careless.

    Parameters
    ----------
    data
        Raw responses, one row per respondent. Never modified. A dask DataFrame is
        screened with the same statistics and returns a lazy
        :class:`efficacy.distributed.LazyScreenResult` (``compute()`` gives this
        function's result).
    instrument
        One or several instruments (ids, paths or Instruments): their items are coded
        and checked as :func:`efficacy.item_responses` does, and their reverse keys,
        subscales, declared antonyms, attention checks and expected seconds per item
        drive the screen. ``None``: screen the columns named in ``scales``.
    scales
        For a plain item frame: ``{scale: [columns in declared order]}`` (default: every
        column, one scale).
    reverse, response_range
        For a plain item frame: the reverse-keyed columns and the response range
        ``(min, max)`` that reverses them (``min + max - x``).
    duration
        Completion time in seconds: a column of ``data`` or a Series on its index.
    cutoffs
        Cut-offs that replace the defaults, by rule: ``longstring`` (flag at or above;
        default the number of items), ``irv`` (at or below; default none),
        ``mahalanobis`` (a confidence; flag D² above that chi-square quantile with df =
        items; default .99), ``even_odd`` (above; default -.30), ``psychsyn`` (below;
        default none), ``psychant`` (above; default none), ``person_total`` (below;
        default 0), ``n_missing`` (above; default none), ``checks`` (failed checks at
        or above; default 1), ``seconds_per_item`` (below; default 2 or the
        instrument's own). ``None`` turns a rule off.
    critval
        Item pairs with r above ``critval`` are psychometric synonyms, below
        ``-critval`` antonyms (careless: .60).
    antonyms
        The pairs behind ``psychant``: ``"correlation"`` (careless), ``"keyed"``
        (reverse-keyed partners: in each scale, the i-th reverse-keyed item with the
        i-th positively keyed item, in declared order),
        ``"declared"`` (the instrument's ``screening: antonyms``) or a list of
        ``(item, item)`` pairs.
    resample_na, seed
        careless re-draws an undefined psychsyn/psychant value up to 10 times by
        swapping pair members at random, without a seed. Off by default (the
        deterministic definition); on, the draws come from ``seed``.
    on_invalid
        As in :func:`efficacy.score`: ``"raise"`` on invalid response cells, or
        ``"missing"`` to screen them as missing (with a warning).

    Returns
    -------
    ScreenResult
        (``LazyScreenResult`` for a dask DataFrame.)

    Raises
    ------
    DataError
        Missing item or duration columns, invalid responses, unknown cut-offs or pairs.

    Warns
    -----
    ScreeningWarning
        For every index that cannot inform on the data given (one subscale for
        even-odd, no synonym pairs, straight-lining that cannot be told from a
        consistent answer, ...). The same messages are kept in ``warnings``.

    Notes
    -----
    longstring, irv, Mahalanobis D² and the synonym/antonym pairs use the answers as
    given; even-odd and the person-total correlation use reverse-keyed items flipped,
    so that every item points the same way. D² does not change under reversal.

    References
    ----------
    Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
    survey data. *Journal of Experimental Social Psychology, 66*, 4-19.
    Johnson, J. A. (2005). Ascertaining the validity of individual protocols from
    web-based personality inventories. *Journal of Research in Personality, 39*,
    103-129.
    Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
    *Psychological Methods, 17*, 437-455.

    Examples
    --------
    >>> import warnings
    >>> import efficacy as ef
    >>> from efficacy.screening import screen
    >>> data = ef.datasets.load("gse_demo")
    >>> with warnings.catch_warnings(record=True):  # 3 invalid cells; one-scale warnings
    ...     res = screen(data, "gse", on_invalid="missing")
    >>> res
    ScreenResult(n_obs=600, n_flagged=20, n_items=10, instruments=('gse',), warnings=4)
    >>> res.to_frame().loc[:2, ["longstring", "irv", "mahalanobis", "flagged"]].round(3)
       longstring    irv  mahalanobis  flagged
    0         3.0  0.699        7.592    False
    1         4.0  0.483        6.844    False
    2         3.0  0.928       19.078    False
    >>> res.reasons[55]
    'longstring >= 10'
    """
    if is_dask(data):
        return on_dask("screen", **locals())  # type: ignore[no-any-return]
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if data.shape[0] == 0:
        raise DataError("data has no rows")
    if instrument is not None and scales is not None:
        raise DataError("give an instrument or scales, not both")
    if not 0 < critval < 1:
        raise DataError(f"critval must be between 0 and 1, got {critval!r}")
    if instrument is None:
        spec = from_items(
            data,
            scales,
            reverse,
            response_range,
            antonyms if not isinstance(antonyms, str) else (),
        )
    else:
        if reverse or response_range is not None:
            raise DataError(
                "reverse and response_range are for item frames; an instrument declares its own"
            )
        many = isinstance(instrument, Sequence) and not isinstance(instrument, str)
        chosen = list(instrument) if many else [instrument]  # type: ignore[list-item]
        spec = from_instruments(data, chosen, on_invalid)
    notes: list[str] = []
    with _one_blas_thread(spec.raw.shape[0]):
        columns, used = _compute(spec, data, duration, critval, antonyms, resample_na, seed, notes)
    rules = resolve_cutoffs(cutoffs, len(spec.items), spec.seconds_per_item)
    if _usable_factors(spec) < 3 and "even_odd" not in (cutoffs or {}):
        rules["even_odd"] = replace(
            rules["even_odd"],
            cutoff=None,
            source="not flagged by default with fewer than 3 subscales (the index is then "
            "only -1, 1 or NaN); " + rules["even_odd"].source,
        )
    _longstring_warning(spec, notes)
    for message in notes:
        warnings.warn(message, ScreeningWarning, stacklevel=2)
    indices = pd.DataFrame(columns, index=data.index)
    flags = flag_table(indices, rules, len(spec.items))
    names = list(spec.items)
    return ScreenResult(
        indices=indices,
        flags=flags,
        flagged=flags.any(axis=1).rename("flagged"),
        reasons=reasons_column(flags, rules, len(spec.items)),
        notes=notes_column(columns, data.index),
        rules=rules_frame(rules, len(spec.items)),
        warnings=tuple(notes),
        items=spec.items,
        factors={f: tuple(names[j] for j in pos) for f, pos in spec.factors.items()},
        synonym_pairs=tuple((names[a], names[b]) for a, b in used["synonyms"]),
        antonym_pairs=tuple((names[a], names[b]) for a, b in used["antonyms"]),
        antonym_source=antonyms if isinstance(antonyms, str) else "given",
        instruments=spec.instruments,
        critval=float(critval),
        resample_na=bool(resample_na),
        seed=seed,
    )


def _one_blas_thread(n_rows: int) -> contextlib.AbstractContextManager[object]:
    """One BLAS thread for the skinny row-block products of large data.

    The products (row block x items by items x items) are memory-bound: a second BLAS
    thread gains nothing, and on a busy machine its spin-waiting makes them many times
    slower.
    """
    if n_rows < 50_000:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def _compute(
    spec: ScreenData,
    data: pd.DataFrame,
    duration: str | pd.Series | None,
    critval: float,
    antonyms: Any,
    resample_na: bool,
    seed: int | None,
    notes: list[str],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from scipy import special

    raw, keyed = spec.raw, spec.keyed
    k = raw.shape[1]
    out: dict[str, np.ndarray] = {}
    out["longstring"], out["longstring_avg"] = _indices.longstring(raw)
    out["irv"] = _indices.irv(raw)
    cov = cor = None
    try:
        item_mean, cov, cor = pairwise_moments(raw)
    except DataError as exc:
        notes.append(f"mahalanobis, psychsyn and psychant: item covariances undefined ({exc})")
    out["mahalanobis"] = np.full(raw.shape[0], np.nan)
    if cov is not None:
        inverse = _covariance_inverse(cov, notes)
        if inverse is not None:
            out["mahalanobis"] = _indices.mahalanobis(raw, item_mean, inverse)
    out["mahalanobis_p"] = special.chdtrc(k, out["mahalanobis"])  # chi-square upper tail
    out["even_odd"] = _even_odd(spec, notes)
    rng = np.random.default_rng(seed)
    used = {"synonyms": np.empty((0, 2), np.int64), "antonyms": np.empty((0, 2), np.int64)}
    if cor is not None:
        used["synonyms"] = _pairs.correlated_pairs(cor, critval)
    used["antonyms"] = _antonym_pairs(spec, cor, critval, antonyms, notes)
    for name, what in (("psychsyn", "synonyms"), ("psychant", "antonyms")):
        pairs = used[what]
        if len(pairs) < 3:
            notes.append(
                f"{name}: {len(pairs)} {what[:-1]} pairs (at least 3 needed); "
                "no respondent gets a value"
            )
        values, _ = _indices.pair_correlation(raw, pairs)
        if resample_na and len(pairs) >= 3:
            values = _pairs.resample_pairs(raw, pairs, values, rng)
        out[name] = values
    answered = ~np.isnan(keyed)
    with np.errstate(invalid="ignore", divide="ignore"):
        keyed_means = np.where(answered, keyed, 0.0).sum(axis=0) / answered.sum(axis=0)
    out["person_total_r"] = _indices.person_total(keyed, keyed_means)
    out["n_missing"] = np.isnan(raw).sum(axis=1)
    _checks(spec, data, out, notes)
    if duration is not None:
        n_shown = k + sum(1 for c in spec.checks if c.id in data.columns)
        out["seconds_per_item"] = _duration(data, duration) / n_shown
    return out, used


def _covariance_inverse(cov: np.ndarray, notes: list[str]) -> np.ndarray | None:
    eigen = np.linalg.eigvalsh(cov)
    if not np.isfinite(eigen).all() or eigen[-1] <= 0 or eigen[0] <= 1e-10 * eigen[-1]:
        notes.append(
            "mahalanobis: the item covariance matrix is singular (smallest eigenvalue "
            f"{eigen[0]:.3g}); D² is not computed (psych's outlier() stops here too)"
        )
        return None
    return np.linalg.inv(cov)


def _usable_factors(spec: ScreenData) -> int:
    return sum(1 for pos in spec.factors.values() if len(pos) >= 2)


def _even_odd(spec: ScreenData, notes: list[str]) -> np.ndarray:
    n = spec.raw.shape[0]
    factors = list(spec.factors.values())
    if len(factors) < 2:
        notes.append(
            "even_odd: needs at least 2 subscales and these data have "
            f"{len(factors)}; no respondent gets a value"
        )
        return np.full(n, np.nan)
    single = [name for name, pos in spec.factors.items() if len(pos) < 2]
    if single:
        notes.append(f"even_odd: subscales {single} have one item and no even half; skipped")
    usable = [pos for pos in factors if len(pos) >= 2]
    if len(usable) < 2:
        notes.append("even_odd: fewer than 2 subscales with 2 items or more; no value")
        return np.full(n, np.nan)
    if len(usable) == 2:
        notes.append(
            "even_odd: with 2 subscales the even-odd correlation is -1, 1 or undefined; "
            "the index can only be 1, -1 or NaN and is not flagged unless "
            "cutoffs['even_odd'] is given"
        )
    values, _ = _indices.even_odd(spec.keyed, usable)
    return values


def _antonym_pairs(
    spec: ScreenData, cor: np.ndarray | None, critval: float, antonyms: Any, notes: list[str]
) -> np.ndarray:
    if not isinstance(antonyms, str):
        if spec.instruments:
            names = list(spec.items)
            bad = [p for p in antonyms if len(p) != 2 or any(m not in names for m in p)]
            if bad:
                raise DataError(f"antonym pairs name unknown items: {bad}; items are {names}")
            return np.array([(names.index(a), names.index(b)) for a, b in antonyms]).reshape(-1, 2)
        return np.array(spec.declared_antonyms, dtype=np.int64).reshape(-1, 2)
    if antonyms == "correlation":
        if cor is None:
            return np.empty((0, 2), np.int64)
        return _pairs.correlated_pairs(cor, critval, antonyms=True)
    if antonyms == "keyed":
        if not spec.keys_known:
            notes.append("psychant: no reverse-keyed items declared, so no keyed antonym pairs")
        return _pairs.keyed_pairs(list(spec.scales.values()), set(spec.reversed))
    if antonyms == "declared":
        if not spec.declared_antonyms:
            notes.append("psychant: the instrument declares no antonym pairs")
        return np.array(spec.declared_antonyms, dtype=np.int64).reshape(-1, 2)
    raise DataError(
        f"antonyms must be 'correlation', 'keyed', 'declared' or a list of pairs, got {antonyms!r}"
    )


def _checks(
    spec: ScreenData, data: pd.DataFrame, out: dict[str, np.ndarray], notes: list[str]
) -> None:
    present = [c for c in spec.checks if c.id in data.columns]
    absent = [c.id for c in spec.checks if c.id not in data.columns]
    if absent:
        notes.append(f"declared checks {absent} are not in the data; not screened")
    if not present:
        return
    failed = np.zeros(len(data), dtype=np.int64)
    for check in present:
        column = data[check.id]
        values = pd.to_numeric(column, errors="coerce")
        bad = values.isna() & column.notna()
        if bad.any():
            raise DataError(
                "check answers must be numeric codes; " + describe_cells(check.id, bad, column)
            )
        failed += ~values.isin(check.expected).to_numpy()
    out["failed_checks"] = failed


def _duration(data: pd.DataFrame, duration: str | pd.Series) -> np.ndarray:
    if isinstance(duration, pd.Series):
        if not duration.index.equals(data.index):
            raise DataError("duration must be a Series on data's index (same labels, same order)")
        column, name = duration, duration.name or "duration"
    else:
        if duration not in data.columns:
            raise DataError(f"duration column {duration!r} is not in data")
        column, name = data[duration], duration
    values = pd.to_numeric(column, errors="coerce")
    bad = (values.isna() & column.notna()) | (values < 0) | np.isinf(values)
    if bad.any():
        raise DataError(
            "duration must be non-negative seconds; " + describe_cells(name, bad, column)
        )
    return values.to_numpy(dtype=float)


def _longstring_warning(spec: ScreenData, notes: list[str]) -> None:
    if spec.reversed or len(spec.factors) > 1:
        return
    keys = (
        "no reverse-keyed items"
        if spec.keys_known or spec.instruments
        else ("no reverse-keyed items declared")
    )
    notes.append(
        f"longstring: {len(spec.items)} items, one scale and {keys}: an attentive, "
        "consistent respondent may give one answer throughout, so straight-lining cannot "
        "be told from consistency"
    )
