"""Screening for careless and invalid responding, driven by the scale specification.

:func:`screen` computes, for every respondent, the indices of R careless (longstring,
intra-individual response variability, Mahalanobis D², even-odd consistency,
psychometric synonyms and antonyms) plus the person-total correlation, declared
attention or infrequency checks and completion speed, and flags respondents by explicit,
changeable cut-offs. :func:`resolve_exclude` turns a screen's flags into the rows a
scoring run treats as missing, and :func:`data_quality` condenses a screen for a report.

Examples
--------
>>> import warnings
>>> import pandas as pd
>>> from efficacy.screening import screen
>>> data = pd.DataFrame({"a": [1, 2, 3, 3], "b": [1, 3, 2, 4], "c": [1, 2, 4, 4]})
>>> with warnings.catch_warnings(record=True) as caught:
...     res = screen(data, cutoffs={"mahalanobis": None})
>>> res.to_frame()["longstring"].tolist()
[3.0, 1.0, 1.0, 2.0]
>>> print(caught[0].message)  # the warnings are kept in res.warnings too
even_odd: needs at least 2 subscales and these data have 1; no respondent gets a value
"""

from efficacy._exclude import Exclusion, resolve_exclude
from efficacy.screening._cutoffs import RULES, Rule
from efficacy.screening._quality import DataQuality, data_quality
from efficacy.screening._result import ScreenResult
from efficacy.screening._screen import ScreeningWarning, screen

__all__ = [
    "RULES",
    "DataQuality",
    "Exclusion",
    "Rule",
    "ScreenResult",
    "ScreeningWarning",
    "data_quality",
    "resolve_exclude",
    "screen",
]
