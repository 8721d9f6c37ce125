"""Bundled example data: simulated General Self-Efficacy Scale responses.

Two small data sets ship with the package, both simulated by
``scripts/make_demo_data.py`` from a stated graded response model (the model, its
parameters, the seed and every deliberately missing or invalid cell are in the
metadata returned by :func:`describe`):

``gse_demo``
    600 respondents: ``id``, ``country``, ``sex``, ``age`` and the items ``gse1`` ..
    ``gse10`` coded 1-4. About 2% of the item cells are missing, four respondents miss
    more than 3 items (not scored by the authors' rule), and a few cells are written
    as real data sometimes are: response labels typed as text (valid), an out-of-range
    5, a person-mean imputed 2.333 and junk text (invalid).
``gse_prepost``
    40 clients answering the GSE before (``pre_gse1`` ..) and after (``post_gse1`` ..)
    an intervention, for the reliable-change walkthrough.

The files are read as a CSV reader would read them: nothing is cleaned, so the
examples show how :func:`efficacy.score` deals with each problem.

Examples
--------
>>> from efficacy import datasets
>>> demo = datasets.load_demo()
>>> demo.shape
(600, 14)
>>> datasets.describe("gse_demo")["simulated"]
True
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.abc import Traversable
from typing import Any

import pandas as pd

from efficacy.errors import DataError

#: Names of the bundled data sets.
NAMES: tuple[str, ...] = ("gse_demo", "gse_prepost")


def _resource(name: str, suffix: str) -> Traversable:
    if name not in NAMES:
        raise DataError(f"no bundled data set {name!r}; bundled: {list(NAMES)}")
    return resources.files("efficacy") / "data" / f"{name}{suffix}"


def load(name: str) -> pd.DataFrame:
    """Read the bundled data set called ``name`` (one of :data:`NAMES`).

    Returns
    -------
    DataFrame
        A new frame on every call; the caller may change it freely.

    Examples
    --------
    >>> load("gse_prepost").shape
    (40, 21)
    """
    with _resource(name, ".csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_demo() -> pd.DataFrame:
    """The 600 simulated GSE respondents, with covariates and some faulty cells.

    Columns ``id``, ``country``, ``sex``, ``age``, ``gse1`` .. ``gse10``. Columns ``gse3``
    and ``gse8`` hold text (labels, junk) and are read as strings; the others as numbers.

    Examples
    --------
    >>> import efficacy as ef
    >>> demo = load_demo()
    >>> scores = ef.score(demo, "gse", on_invalid="missing")  # doctest: +SKIP
    >>> demo["country"].value_counts().index[0]
    'Germany'
    """
    return load("gse_demo")


def load_prepost() -> pd.DataFrame:
    """The 40 simulated clients measured before and after an intervention.

    Columns ``id``, ``pre_gse1`` .. ``pre_gse10``, ``post_gse1`` .. ``post_gse10``; score
    each occasion with a column template such as ``columns="pre_gse{n}"``.

    Examples
    --------
    >>> import efficacy as ef
    >>> data = load_prepost()
    >>> pre = ef.score(data, "gse", columns="pre_gse{n}")["gse"]
    >>> post = ef.score(data, "gse", columns="post_gse{n}")["gse"]
    >>> bool(post.mean() > pre.mean())
    True
    """
    return load("gse_prepost")


def describe(name: str) -> dict[str, Any]:
    """The metadata of a bundled data set: how it was simulated and what was planted in it.

    Examples
    --------
    >>> meta = describe("gse_demo")
    >>> meta["seed"], meta["model"]["name"].split(" (")[0]
    (20240521, 'graded response model')
    >>> [cell["value"] for cell in meta["special_cells"] if not cell["valid"]]
    [5, 2.333, 'n/a?']
    """
    return json.loads(_resource(name, ".json").read_text(encoding="utf-8"))
