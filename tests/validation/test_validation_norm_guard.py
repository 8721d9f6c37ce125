"""standardize and compare_to_norm warn when a norm table spans nations without recorded
scalar invariance across them."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import efficacy as ef
from efficacy.validation import NormInvarianceWarning


def test_a_table_by_country_warns_and_one_by_sex_does_not():
    scores = pd.DataFrame({"gse": [25.0, 31.0], "country": ["Germany", "Germany"]})
    table = ef.load("gse").norm("world2006_country")
    country = table.groups[0].where["country"]
    scores["country"] = country
    with pytest.warns(NormInvarianceWarning, match="country"):
        ef.compare_to_norm(scores, "gse", "world2006_country", group="country")
    with pytest.warns(NormInvarianceWarning, match="country"):
        ef.standardize(scores, "gse", "world2006_country", group="country")
    by_sex = pd.DataFrame({"gse": [25.0, 31.0], "sex": ["male", "female"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", NormInvarianceWarning)
        ef.compare_to_norm(by_sex, "gse", "world2006_sex", group="sex")
