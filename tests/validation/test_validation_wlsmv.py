"""WLSMV (ordinal items) against lavaan 0.6-14.

Reference: ``tests/fixtures/validation/ordinal_golden.R`` simulates 8 five-category items
from a stated 2-factor model (1,200 rows, written to ordinal.csv) and fits it with
``estimator = "WLSMV"``. The sample statistics (thresholds, polychorics, Gamma) are
compared directly; the scaled measures within 1e-4 (lavaan's polychoric optimiser
stops at about 1e-8 on rho, which moves the chi-squares in the 6th digit).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from efficacy.errors import DataError
from efficacy.validation import ModelError, cfa
from efficacy.validation._ordinal import ordinal_stats

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
GOLDEN = json.loads((HERE / "ordinal_golden.json").read_text())
DATA = pd.read_csv(HERE / "ordinal.csv")
ITEMS = [f"o{i}" for i in range(1, 9)]
MODEL = {"F1": ITEMS[:4], "F2": ITEMS[4:]}
COMPUTED = (
    "npar", "fmin", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
    "chisq_scaling_factor", "baseline_chisq", "baseline_df", "baseline_pvalue",
    "baseline_chisq_scaled", "baseline_df_scaled", "baseline_pvalue_scaled",
    "baseline_chisq_scaling_factor", "cfi", "tli", "cfi_scaled", "tli_scaled", "nnfi", "rfi",
    "nfi", "pnfi", "ifi", "rni", "nnfi_scaled", "rfi_scaled", "nfi_scaled", "pnfi_scaled",
    "ifi_scaled", "rni_scaled", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue",
    "rmsea_notclose_pvalue", "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled",
    "rmsea_pvalue_scaled", "rmsea_notclose_pvalue_scaled", "srmr", "srmr_bentler_nomean",
    "crmr_nomean",
)


def test_sample_statistics_and_gamma_match_lavaan():
    st = ordinal_stats(DATA[ITEMS].to_numpy() - 1, ITEMS)
    ref = GOLDEN["sample"]
    np.testing.assert_allclose(st.s, ref["wls_obs"], atol=1e-7)
    np.testing.assert_allclose(np.diag(st.gamma), ref["gamma_diag"], rtol=1e-6)
    np.testing.assert_allclose(st.gamma[0], ref["gamma_row1"], atol=1e-6)
    np.testing.assert_allclose(st.gamma[-1], ref["gamma_last"], atol=1e-6)
    # thresholds by hand: normal quantiles of the cumulative proportions
    from scipy.stats import norm

    counts = DATA["o1"].value_counts().sort_index().to_numpy()
    np.testing.assert_allclose(st.thresholds[0], norm.ppf(np.cumsum(counts)[:-1] / 1200))


@pytest.mark.parametrize(("key", "std_lv"), [("single", False), ("single_std_lv", True)])
def test_wlsmv_matches_lavaan(key, std_lv):
    fit = cfa(DATA, model=MODEL, estimator="WLSMV", std_lv=std_lv)
    assert fit.converged and fit.ok
    ref = GOLDEN[key]
    for name in COMPUTED:
        value = ref["fit_measures"][name.replace("_", ".") if "srmr" not in name
                                    and "crmr" not in name else name]
        assert fit.fit_measures[name] == pytest.approx(value, rel=1e-5, abs=1e-4), name
    for name in ("cfi_robust", "tli_robust", "rmsea_robust"):
        assert math.isnan(fit.fit_measures[name])  # Savalei (2021): not implemented
    expected = pd.DataFrame(ref["parameters"])
    merged = expected.merge(fit.parameters, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(merged) == len(fit.parameters) == 51  # lavaan's ~1 and ~*~ rows: fixed
    for column in ("est", "se", "std_all"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], atol=1e-6,
                                   err_msg=column)


def test_wlsmv_errors_name_items():
    frame = DATA.copy()
    frame.loc[frame["o3"] == 5, "o3"] = 4
    with pytest.raises(DataError, match=r"items \['o3'\] show fewer categories"):
        cfa(frame, model=MODEL, estimator="WLSMV")
    frame = DATA.copy().astype({"o2": float})
    frame.loc[3, "o2"] = 2.5
    with pytest.raises(DataError, match=r"integer category codes; items \['o2'\]"):
        cfa(frame, model=MODEL, estimator="WLSMV")
    with pytest.raises(ModelError, match="one group"):
        cfa(DATA, model=MODEL, estimator="WLSMV", group="group")
    with pytest.raises(ModelError, match="9-point range"):
        cfa(DATA, "tses", estimator="WLSMV")
