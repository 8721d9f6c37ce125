"""compare_alphas: published worked examples and hand calculations.

Sources of the golden numbers:

- Charter, R. A., & Feldt, L. S. (1996). Testing the equality of two alpha coefficients.
  Perceptual and Motor Skills, 82, 763-768: alphas .78 (n 41) and .71 (n 151), W = 1.318,
  two-sided p = .242; dependent alphas .82 and .89, n 27, r .74: t = 1.849 (df 25).
- Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
  coefficient alpha. Applied Psychological Measurement, 11, 93-103: three independent
  alphas .784/.875/.936 (5 items; n 51/101/151), chi2 = 22.926 (df 2); four dependent
  alphas .857/.875/.800/.833 (50/40/35/25 items, n 100) with the correlation matrix
  below, chi2 = 10.66 (df 3), p = .014.
- AlphaTest (Lautenschlager & Meade, 2008), ten comparisons as checked in the test suite
  of the R package cocron 1.0-1 (Diedenhofen & Musch, 2016), file inst/tests/test.r;
  rounded to the digits printed there.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from efficacy.coefficients.alpha_family._compare import compare_alphas
from efficacy.errors import DataError

NA = np.nan


def test_two_independent_alphas_charter_feldt_1996() -> None:
    res = compare_alphas([0.78, 0.71], n=[41, 151])
    assert res.statistic == pytest.approx(0.29 / 0.22, abs=1e-12)  # (1 - .71)/(1 - .78)
    assert round(res.statistic, 3) == 1.318
    assert res.df == (40.0, 150.0)
    assert res.distribution == "F"
    # Paper: one-sided p rounded to .121, doubled: .242.
    assert round(res.p_value, 3) in (0.241, 0.242)
    assert res.p_value == pytest.approx(2 * stats.f.sf(0.29 / 0.22, 40, 150), abs=1e-14)
    greater = compare_alphas([0.78, 0.71], n=[41, 151], alternative="greater")
    assert round(greater.p_value, 3) == 0.121


def test_two_dependent_alphas_charter_feldt_1996() -> None:
    res = compare_alphas([0.82, 0.89], n=27, r=0.74, dependent=True)
    # Hand: (.82 - .89) * sqrt(25) / sqrt(4 * .18 * .11 * (1 - .74^2)).
    t = -0.07 * 5 / np.sqrt(4 * 0.18 * 0.11 * (1 - 0.74**2))
    assert res.statistic == pytest.approx(t, abs=1e-12)
    assert round(abs(res.statistic), 3) == 1.849
    assert res.df == (25.0,)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(t), 25), abs=1e-14)


def test_three_independent_alphas_feldt_woodruff_salih_1987() -> None:
    res = compare_alphas([0.784, 0.875, 0.936], n=[51, 101, 151], n_items=5)
    assert round(res.statistic, 3) == 22.926
    assert res.df == (2.0,)
    assert res.distribution == "chi2"
    assert "Hakstian" in res.method


def test_four_dependent_alphas_feldt_woodruff_salih_1987() -> None:
    r = np.array(
        [
            [1, 0.8, 0.6, 0.75],
            [NA, 1, 0.65, 0.7],
            [NA, NA, 1, 0.55],
            [NA, NA, NA, 1],
        ]
    )
    res = compare_alphas(
        [0.857, 0.875, 0.800, 0.833], n=100, n_items=[50, 40, 35, 25], r=r, dependent=True
    )
    assert round(res.statistic, 2) == 10.66
    assert round(res.p_value, 3) == 0.014
    assert res.df == (3.0,)
    assert "Woodruff" in res.method
    # A full symmetric matrix gives the same answer.
    full = np.where(np.isnan(r), r.T, r)
    same = compare_alphas(
        [0.857, 0.875, 0.800, 0.833], n=100, n_items=[50, 40, 35, 25], r=full, dependent=True
    )
    assert same.statistic == res.statistic


ALPHATEST = [
    # alphas, items, n, r (upper triangle) or None, statistic, digits, p, p digits
    ([0.6, 0.7], [50, 100], [150, 200], None, 3.4535, 4, 0.0631, 4),
    ([0.6, 0.5], [35, 30], 90, [[1, 0.8], [NA, 1]], 2.8699, 4, 0.0903, 4),
    ([0.9, 0.7], [25, 30], [200, 150], None, 47.559, 3, 0.0, 4),
    ([0.5, 0.4], [20, 20], [200, 100], [[1, 0.5], [NA, 1]], 1.4895, 4, 0.2223, 4),
    ([0.9, 0.7, 0.8], [15, 15, 12], [100, 150, 130], None, 31.3795, 4, 0.0, 4),
    ([0.7, 0.75, 0.7], [10, 10, 10], [100, 120, 130], None, 1.0553, 4, 0.59, 4),
    (
        [0.75, 0.7, 0.72],
        [12, 12, 12],
        [60, 70, 80],
        [[1, 0.5, 0.2], [NA, 1, 0.8], [NA, NA, 1]],
        0.7130,
        4,
        0.7001,
        4,
    ),
    (
        [0.7, 0.75, 0.72],
        [13, 14, 15],
        [140, 130, 110],
        [[1, 0.3, 0.2], [NA, 1, 0.7], [NA, NA, 1]],
        1.1747,
        4,
        0.5558,
        4,
    ),
    ([0.7, 0.8, 0.75, 0.77], [15, 15, 20, 20], [100, 100, 200, 200], None, 4.9738, 4, 0.1737, 4),
    (
        [0.75, 0.72, 0.70, 0.77],
        [15, 15, 15, 15],
        [100, 100, 150, 150],
        [[1, 0.5, 0.6, 0.7], [NA, 1, 0.4, 0.2], [NA, NA, 1, 0.2], [NA, NA, NA, 1]],
        2.9236,
        4,
        0.4036,
        4,
    ),
]


@pytest.mark.parametrize(
    ("alphas", "items", "n", "r", "statistic", "digits", "p", "p_digits"), ALPHATEST
)
@pytest.mark.filterwarnings("ignore:dependent alphas come from one sample")
def test_alphatest_examples(alphas, items, n, r, statistic, digits, p, p_digits) -> None:
    res = compare_alphas(
        alphas,
        n=n,
        n_items=items,
        r=None if r is None else np.array(r, dtype=float),
        dependent=r is not None,
        method="chi-square",
    )
    assert round(res.statistic, digits) == pytest.approx(statistic, abs=1e-12)
    assert round(res.p_value, p_digits) == pytest.approx(p, abs=1e-12)
    assert res.df == (len(alphas) - 1.0,)


def test_chi_square_independent_by_hand_for_two_alphas() -> None:
    # u = (1 - a)^(-1/3); n~ = (J - 1) n / (J + 1); var = 2 / (9 (n~ - 1) (1 - a)^(2/3)).
    a, n, j = np.array([0.8, 0.9]), np.array([100.0, 120.0]), np.array([10.0, 12.0])
    u = (1 - a) ** (-1 / 3)
    nt = (j - 1) * n / (j + 1)
    var = 2 / (9 * (nt - 1) * (1 - a) ** (2 / 3))
    chi2 = ((u - u.mean()) ** 2).sum() / var.mean()
    res = compare_alphas(a, n, n_items=j, method="chi-square")
    assert res.statistic == pytest.approx(chi2, abs=1e-12)
    assert res.p_value == pytest.approx(stats.chi2.sf(chi2, 1), abs=1e-14)


def test_order_and_alternatives() -> None:
    ab = compare_alphas([0.78, 0.71], n=[41, 151])
    ba = compare_alphas([0.71, 0.78], n=[151, 41])
    assert ba.statistic == pytest.approx(1 / ab.statistic)
    assert ba.df == (150.0, 40.0)
    assert ba.p_value == pytest.approx(ab.p_value, abs=1e-14)
    less = compare_alphas([0.71, 0.78], n=[151, 41], alternative="less")
    greater = compare_alphas([0.71, 0.78], n=[151, 41], alternative="greater")
    assert less.p_value + greater.p_value == pytest.approx(1.0)
    assert less.p_value < greater.p_value  # alpha1 < alpha2 here
    t1 = compare_alphas([0.82, 0.89], n=27, r=0.74, dependent=True)
    t2 = compare_alphas([0.89, 0.82], n=27, r=0.74, dependent=True)
    assert t2.statistic == pytest.approx(-t1.statistic)
    assert t2.p_value == pytest.approx(t1.p_value)
    assert set(t1.to_frame().columns) >= {"statistic", "p_value", "df", "method"}


def test_unequal_dependent_sizes_warn_and_use_the_mean() -> None:
    with pytest.warns(UserWarning, match="using the mean n"):
        res = compare_alphas([0.82, 0.89], n=[26, 28], r=0.74, dependent=True)
    assert res.df == (25.0,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alphas": [0.8]}, "two or more"),
        ({"alphas": [0.8, 1.0]}, r"\[0, 1\); got \[1.0\] at positions \[1\]"),
        ({"alphas": [0.8, -0.1]}, r"\[0, 1\)"),
        ({"n": [100, 2]}, "exceed 2"),
        ({"n": [100, 100, 100]}, "one per alpha"),
        ({"dependent": True}, "need r"),
        ({"dependent": True, "r": 1.5}, r"\[-1, 1\]"),
        ({"method": "chi-square"}, "n_items"),
        ({"alphas": [0.7, 0.8, 0.9], "n": 50, "method": "feldt"}, "compare two alphas"),
        ({"method": "chi-square", "n_items": 5, "alternative": "less"}, "omnibus"),
        ({"alternative": "bigger"}, "alternative"),
        ({"method": "bootstrap"}, "method"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    args = {"alphas": [0.8, 0.7], "n": [100, 120], **kwargs}
    with pytest.raises(DataError, match=message):
        compare_alphas(**args)


def test_asymmetric_correlation_matrix_is_refused() -> None:
    r = np.array([[1, 0.5, 0.2], [0.4, 1, 0.3], [0.2, 0.3, 1]])
    with pytest.raises(DataError, match="not symmetric"):
        compare_alphas([0.7, 0.8, 0.75], n=80, n_items=10, r=r, dependent=True)
