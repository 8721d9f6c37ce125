"""The instrument model: what a validated questionnaire is, as frozen dataclasses.

An :class:`Instrument` is built by :mod:`efficacy.instrument._loader` from a YAML file and never
changes afterwards. It holds the exact item wording, the response scale with its labels
and the label variants met in real data, the scales with their scoring and missing-data
rules, the published reliability and the norm tables, each fact with its source.

Examples
--------
>>> import efficacy as ef
>>> gse = ef.load("gse")
>>> gse.items[0].text
'I can always manage to solve difficult problems if I try hard enough.'
>>> gse.scale("gse").min_valid, gse.score_range("gse")
(7, (10.0, 40.0))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

Provenance = Literal["P", "S", "C"]

#: What the provenance marks mean.
PROVENANCE_MEANING: dict[str, str] = {
    "P": "primary: the authors' own page, manual or paper",
    "S": "secondary: an instrument database, review or another paper quoting the primary",
    "C": "computed from the authors' public item-level data set (reference data)",
}


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a citation key of the instrument and a provenance mark."""

    ref: str
    provenance: Provenance
    note: str | None = None

    def __str__(self) -> str:
        text = f"{self.ref} [{self.provenance}]"
        return f"{text}: {self.note}" if self.note else text


@dataclass(frozen=True)
class Citation:
    """A bibliographic reference; ``key`` is how sources elsewhere in the file name it."""

    key: str
    text: str
    doi: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.text} https://doi.org/{self.doi}" if self.doi else self.text


@dataclass(frozen=True)
class License:
    """Terms of use as the authors state them (``commercial_use`` None: not stated)."""

    summary: str
    source: Source
    commercial_use: bool | None = None


@dataclass(frozen=True)
class Coding:
    """An alternative coding met in real data, mapped onto the instrument's own codes."""

    id: str
    description: str
    recode: Mapping[float, float]


@dataclass(frozen=True)
class ResponseScale:
    """The response format: allowed codes, their labels and how data may spell them."""

    min: float
    max: float
    step: float
    labels: Mapping[float, str]
    source: Source
    aliases: Mapping[float, tuple[str, ...]] = field(default_factory=dict)
    missing_codes: tuple[float, ...] = ()
    codings: tuple[Coding, ...] = ()

    @property
    def codes(self) -> np.ndarray:
        """Every valid code, from ``min`` to ``max`` in steps of ``step``."""
        count = round((self.max - self.min) / self.step)
        return self.min + self.step * np.arange(count + 1)

    def label_lookup(self) -> dict[str, float]:
        """Normalised label (and alias) -> code, for matching labels found in data."""
        lookup: dict[str, float] = {}
        for code, label in self.labels.items():
            lookup[normalise_label(label)] = code
        for code, names in self.aliases.items():
            for name in names:
                lookup[normalise_label(name)] = code
        return lookup

    def coding(self, coding_id: str) -> Coding:
        """The alternative coding called ``coding_id``."""
        for coding in self.codings:
            if coding.id == coding_id:
                return coding
        known = [c.id for c in self.codings]
        raise KeyError(f"no coding {coding_id!r}; this instrument has {known}")


def normalise_label(text: str) -> str:
    """Case- and whitespace-insensitive form of a response label.

    >>> normalise_label("  Hardly   TRUE ")
    'hardly true'
    """
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Item:
    """One item, with its verbatim wording and keying (``+`` or ``-``)."""

    id: str
    number: int
    text: str
    keyed: Literal["+", "-"] = "+"

    @property
    def reversed(self) -> bool:
        """True for a reverse-keyed item."""
        return self.keyed == "-"


@dataclass(frozen=True)
class Scale:
    """A score: which items, summed or averaged, and the missing-data rule.

    ``min_valid`` is the fewest answered items that still give a score. With
    ``method == "sum"`` and missing items, the sum is prorated (mean of the
    answered items x number of items) when ``prorate`` is true.
    """

    id: str
    name: str
    items: tuple[str, ...]
    method: Literal["sum", "mean"]
    min_valid: int
    prorate: bool
    source: Source
    missing_rule: str

    @property
    def n_items(self) -> int:
        """Number of items in the scale."""
        return len(self.items)


@dataclass(frozen=True)
class PublishedReliability:
    """A reliability coefficient reported in the literature for one scale."""

    scale: str
    statistic: str
    source: Source
    value: float | None = None
    range: tuple[float, float] | None = None
    n: int | None = None
    sample: str | None = None


@dataclass(frozen=True)
class NormGroup:
    """One row of a norm table: the group's defining values and its statistics.

    ``where`` maps a covariate to a value (``{"sex": "female"}``) or to a range
    (``{"age": (20, 29)}``, bounds inclusive, ``None`` for open). An empty ``where``
    is the whole norm sample.
    """

    where: Mapping[str, Any]
    mean: float
    sd: float | None = None
    n: int | None = None
    alpha: float | None = None
    percentiles: Mapping[float, float] | None = None

    @property
    def label(self) -> str:
        """A readable name, e.g. ``sex=female`` or ``age=20-29``."""
        if not self.where:
            return "all"
        parts = []
        for key, value in self.where.items():
            if isinstance(value, tuple):
                low, high = value
                text = f"{low}+" if high is None else f"{low}-{high}"
                parts.append(f"{key}={text}")
            else:
                parts.append(f"{key}={value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class NormTableRecord:
    """The data of a norm table: published norms or reference data from a data set.

    Tables are handled as :class:`~efficacy.NormTable`, which adds reading and writing
    the instrument-file form of a table; this class is its plain data.
    """

    id: str
    scale: str
    kind: Literal["published", "reference_data"]
    population: str
    source: Source
    groups: tuple[NormGroup, ...]
    group_by: tuple[str, ...] = ()
    metric: Literal["sum", "mean"] = "sum"
    note: str | None = None
    #: Groupings the sample pools without listing them as rows (e.g. ``("nation",)`` for
    #: a whole-sample table drawn from many nations): the norm guard checks them too.
    spans: tuple[str, ...] = ()

    def group(self, **where: Any) -> NormGroup:
        """The row whose ``where`` equals the given covariates (none: the whole sample)."""
        for row in self.groups:
            if dict(row.where) == where:
                return row
        raise KeyError(f"norm table {self.id!r} has no group {where or 'all'}")


@dataclass(frozen=True)
class Check:
    """A declared attention-check or infrequency item and the answers that pass it.

    The check is not an item of any scale: its column (named ``id``) is read only by
    :func:`efficacy.screening.screen`.
    """

    id: str
    kind: Literal["attention", "infrequency"]
    text: str
    expected: tuple[float, ...]


@dataclass(frozen=True)
class ScreeningSpec:
    """What an instrument file declares for careless-responding screening.

    ``checks`` are attention-check or infrequency items, ``seconds_per_item`` the fewest
    seconds per item of an attentive respondent, ``antonyms`` pairs of items that should
    be answered in opposite directions.
    """

    checks: tuple[Check, ...] = ()
    seconds_per_item: float | None = None
    antonyms: tuple[tuple[str, str], ...] = ()
    source: Source | None = None


@dataclass(frozen=True)
class IrtItemParameters:
    """One item's graded-model parameters: slope, decreasing intercepts, category codes."""

    id: str
    a: float
    d: tuple[float, ...]
    codes: tuple[float, ...]


@dataclass(frozen=True)
class IrtCalibration:
    """Item parameters of one scale, calibrated so the reference population's trait is N(0, 1)."""

    scale: str
    model: str
    population: str
    source: Source
    items: tuple[IrtItemParameters, ...]
    note: str | None = None


@dataclass(frozen=True)
class StructureEvidence:
    """A factor model tested on a sample (``validity.structure`` of the YAML file)."""

    model: str
    estimator: str
    source: Source
    n: int | None = None
    sample: str | None = None
    fit: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class InvarianceEvidence:
    """A measurement-invariance result across a grouping (``validity.invariance``)."""

    across: str
    level: str
    holds: bool
    source: Source
    groups: tuple[str, ...] = ()
    estimator: str | None = None
    delta_cfi: float | None = None
    delta_rmsea: float | None = None
    delta_srmr: float | None = None
    n: int | None = None
    sample: str | None = None


@dataclass(frozen=True)
class Validity:
    """Evidence on the factor structure and its invariance, each fact with its source."""

    structure: tuple[StructureEvidence, ...] = ()
    invariance: tuple[InvarianceEvidence, ...] = ()

    def scalar_invariance(self, across: str) -> bool | None:
        """True if scalar (or strict) invariance across ``across`` is recorded as
        holding, False if any record says it fails, None if it was never tested."""
        rows = [
            r for r in self.invariance if r.across == across and r.level in ("scalar", "strict")
        ]
        if not rows:
            return None
        if any(not r.holds and r.level == "scalar" for r in rows):
            return False
        return any(r.holds for r in rows)


@dataclass(frozen=True)
class Instrument:
    """A validated questionnaire, loaded from its YAML definition."""

    id: str
    name: str
    abbreviation: str
    version: str
    language: str
    construct: str
    domain: str
    generality: Literal["general", "domain-specific"]
    population: str
    validated: bool
    citations: tuple[Citation, ...]
    license: License
    response: ResponseScale
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    reliability: tuple[PublishedReliability, ...] = ()
    norms: tuple[NormTableRecord, ...] = ()
    validity: Validity | None = None
    instructions: str | None = None
    description: str | None = None
    notes: tuple[str, ...] = ()
    higher_is_better: bool = True
    screening: ScreeningSpec | None = None
    path: Path | None = None
    sha256: str | None = None
    irt: tuple[IrtCalibration, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Instrument(id={self.id!r}, name={self.name!r}, items={self.n_items}, "
            f"scales={list(self.scale_ids)}, norms={[n.id for n in self.norms]})"
        )

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in the instrument's order."""
        return tuple(item.id for item in self.items)

    @property
    def scale_ids(self) -> tuple[str, ...]:
        """Scale ids in the instrument's order."""
        return tuple(scale.id for scale in self.scales)

    @property
    def reverse_items(self) -> tuple[str, ...]:
        """Ids of the reverse-keyed items."""
        return tuple(item.id for item in self.items if item.reversed)

    def item(self, item_id: str) -> Item:
        """The item called ``item_id``."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.id} has no item {item_id!r}; items are {list(self.item_ids)}")

    def scale(self, scale_id: str | None = None) -> Scale:
        """The scale called ``scale_id`` (None: the instrument's only or first scale)."""
        if scale_id is None:
            return self.scales[0]
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"{self.id} has no scale {scale_id!r}; scales are {list(self.scale_ids)}")

    def norm(self, norm_id: str) -> NormTableRecord:
        """The norm table called ``norm_id``."""
        for table in self.norms:
            if table.id == norm_id:
                return table
        known = [table.id for table in self.norms]
        raise KeyError(f"{self.id} has no norm table {norm_id!r}; it has {known}")

    def citation(self, key: str) -> Citation:
        """The citation called ``key``."""
        for citation in self.citations:
            if citation.key == key:
                return citation
        raise KeyError(f"{self.id} has no citation {key!r}")

    def score_range(
        self, scale_id: str | None = None, method: str | None = None
    ) -> tuple[float, float]:
        """Lowest and highest possible score of a scale, from its items and response range.

        ``method`` overrides the scale's own (``"sum"`` or ``"mean"``).
        """
        scale = self.scale(scale_id)
        method = method or scale.method
        factor = scale.n_items if method == "sum" else 1
        return float(self.response.min * factor), float(self.response.max * factor)
