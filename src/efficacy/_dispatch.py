"""Recognising dask collections without importing dask.

The statistics (:func:`efficacy.score`, :func:`efficacy.alpha`, ...) begin with a
two-line hook: when their data are a dask DataFrame they hand the call, by name, to
:mod:`efficacy.distributed`, which is imported only then. ``import efficacy`` never
imports dask, and the statistics never import the dask layer at module level.

Examples
--------
>>> import pandas as pd
>>> is_dask(pd.DataFrame({"a": [1]}))
False
"""

from __future__ import annotations

import importlib
from typing import Any


def is_dask(data: Any) -> bool:
    """Whether ``data`` is a dask collection (decided by its type's module; no import)."""
    return type(data).__module__.split(".")[0] in ("dask", "dask_expr")


def on_dask(name: str, /, **arguments: Any) -> Any:
    """Call ``efficacy.distributed.<name>(**arguments)``: the dask form of a statistic."""
    module = importlib.import_module("efficacy.distributed")
    return getattr(module, name)(**arguments)
