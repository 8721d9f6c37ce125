"""The fitted graded response model: a frozen result with scores, information and YAML.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> from efficacy.item_response import irt
>>> rng = np.random.default_rng(3)
>>> trait = rng.normal(size=500)
>>> items = pd.DataFrame(
...     {f"q{j}": np.digitize(trait + rng.logistic(size=500), [-1.0, 0.0, 1.0]) for j in range(4)}
... )
>>> model = irt(items)
>>> model.converged, model.n_obs, model.items.columns[:4].tolist()
(True, 500, ['a', 'd1', 'd2', 'd3'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from efficacy.instrument._model import Instrument
from efficacy.item_response._itemfit import ItemFit
from efficacy.item_response._params import GradedParameters, ScoreMethod
from efficacy.results import Result, Summary


def _fmt(value: float) -> str:
    return repr(float(value))


@dataclass(frozen=True, repr=False)
class GradedModel(Result):
    """A unidimensional graded response model fitted by marginal maximum likelihood.

    Attributes
    ----------
    model
        ``"graded"`` (Samejima's graded response model) or ``"2PL"`` (all items binary).
    log_likelihood, aic, bic
        Marginal log-likelihood at the estimate (61-point quadrature, N(0, 1) trait) and
        the information criteria from it.
    n_obs, n_items, n_params
        Persons with at least one answer, items and free parameters.
    n_empty
        Rows without any answer: they carry no information about the items and are
        not counted in ``n_obs`` (nor in the BIC).
    converged
        True when the Newton step at the estimate (the estimated distance to the
        optimum) is below 1e-6 in every parameter and the information is positive
        definite. ``message`` says why not otherwise.
    n_iter, n_newton
        EM iterations (to EM's tolerance) and the Newton steps that followed.
    max_gradient, max_step
        Largest absolute gradient of the log-likelihood and largest Newton step at the
        estimate.
    items
        One row per item: ``a`` and ``d1..`` (slope-intercept, ``a theta + d_k``),
        ``b1..`` (traditional thresholds ``-d_k / a``), ``se_*`` their standard errors
        (observed information; ``b`` by the delta method), ``n_categories`` and ``n``
        (answers).
    parameters
        The item parameters with the codes their categories stand for.
    covariance
        Covariance matrix of ``[a_1, d_11, ..., a_2, ...]``.
    scale, instrument
        The instrument scale the model belongs to (None for a plain item frame).
    categories
        The responses the model was fitted to, as 0-based categories (-1 missing).
    """

    model: str
    log_likelihood: float
    aic: float
    bic: float
    n_obs: int
    n_items: int
    n_params: int
    converged: bool
    n_iter: int
    n_newton: int
    max_gradient: float
    max_step: float
    message: str
    items: pd.DataFrame
    parameters: GradedParameters = field(repr=False)
    covariance: np.ndarray = field(repr=False)
    n_empty: int = 0
    scale: str | None = None
    instrument: Instrument | None = field(default=None, repr=False)
    categories: np.ndarray | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The item table (a copy of ``items``)."""
        return self.items.copy()

    @property
    def marginal_reliability(self) -> float:
        """``E[I(theta) / (I(theta) + 1)]`` over the N(0, 1) trait, as mirt's marginal_rxx."""
        return self.parameters.marginal_reliability()

    def scores(
        self, data: pd.DataFrame, method: ScoreMethod = "EAP", *, columns: Any = None
    ) -> pd.DataFrame:
        """Trait estimates per row: ``theta``, ``se``, ``T``, ``n_answered``, ``status``.

        Parameters
        ----------
        data
            Responses. For a model fitted from an instrument: raw data as
            :func:`efficacy.score` takes them (labels, ``columns=``, reverse keying
            applied); otherwise one column per model item.
        method
            ``"EAP"`` (posterior mean; ``se`` is the posterior SD), ``"MAP"``
            (posterior mode; ``se`` from its curvature) or ``"ML"`` (no prior).

        Notes
        -----
        ``T = 50 + 10 theta`` is a T score in the metric of the calibration sample.
        A row without answers gets the prior (theta 0, SD 1) and status
        ``"no answers"``; ML gives NaN there and -inf/+inf (status ``"extreme"``) for
        all-lowest or all-highest answers.
        """
        if self.instrument is not None:
            import efficacy as ef

            data = ef.item_responses(data, self.instrument, columns)
            codes = self.instrument.response.codes
            return self.parameters.score(data, method, checked_codes=codes)
        return self.parameters.score(data, method)

    def sum_score_table(self) -> pd.DataFrame:
        """EAP[theta | sum score] with its SD and the model's sum-score distribution.

        Computed by the Lord-Wingersky recursion on the 61-point quadrature. Sum
        scores add the items' response codes (after reverse keying).
        """
        return self.parameters.sum_score_table()

    def information(self, theta: Any = None) -> pd.DataFrame:
        """Item and test information at ``theta`` (default -4 to 4 by 0.1), and the SEM.

        Returns one row per theta: ``theta``, one column per item, ``test`` (their sum,
        without the prior) and ``sem = 1 / sqrt(test)``.
        """
        grid = np.round(np.arange(-4.0, 4.0001, 0.1), 10) if theta is None else theta
        grid = np.atleast_1d(np.asarray(grid, dtype=float))
        info = self.parameters.item_information(grid)
        out = pd.DataFrame(info.T, columns=list(self.parameters.names))
        out.insert(0, "theta", grid)
        out["test"] = info.sum(axis=0)
        out["sem"] = 1.0 / np.sqrt(out["test"])
        return out

    def item_fit(self, mincell: float = 1.0) -> ItemFit:
        """Orlando and Thissen's S-X2 per item on the data the model was fitted to.

        See :mod:`efficacy.item_response._itemfit` for the grouping and merging rules.
        """
        from efficacy.errors import DataError
        from efficacy.item_response._itemfit import item_fit

        if self.categories is None:
            raise DataError("this model holds no response data to test item fit on")
        return item_fit(self.parameters, self.categories, mincell)

    def summary(self) -> Summary:
        """Convergence first, then the fit, the marginal reliability and the item table.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from efficacy.item_response import irt
        >>> rng = np.random.default_rng(5)
        >>> trait = rng.normal(size=300)
        >>> items = pd.DataFrame(
        ...     {f"q{j}": (trait + rng.logistic(size=300) > 0) * 1 for j in range(3)}
        ... )
        >>> summary = irt(items).summary()
        >>> summary.title
        'Graded response model (2PL), 3 items, 300 persons'
        >>> summary.rows[0][1].startswith("converged (EM iterations")
        True
        """
        steps = (
            f"(EM iterations {self.n_iter}, Newton steps {self.n_newton}, "
            f"max |gradient| {self.max_gradient:.2g}, max Newton step {self.max_step:.2g})"
        )
        status = "converged" if self.converged else f"NOT converged: {self.message}"
        rows = [
            ("status", f"{status} {steps}"),
            ("persons", str(self.n_obs)),
            ("items", str(self.n_items)),
            (
                "fit",
                f"log-likelihood {self.log_likelihood:.3f}, AIC {self.aic:.3f}, "
                f"BIC {self.bic:.3f}, parameters {self.n_params}",
            ),
            ("marginal reliability", f"{self.marginal_reliability:.3f}"),
        ]
        if self.scale:
            rows.insert(1, ("scale", self.scale))
        notes = []
        if not self.converged:
            notes.append(
                f"The estimation did not converge ({self.message}): do not interpret these "
                "parameters as they stand."
            )
        if self.n_empty:
            notes.append(
                f"{self.n_empty} rows without answers left out: they carry no information "
                "about the items and are not counted in the persons nor in the BIC."
            )
        notes.append(
            "Items below: slope-intercept a, d (a theta + d_k); traditional b = -d/a; "
            "standard errors in .items."
        )
        title = f"Graded response model ({self.model}), {self.n_items} items, {self.n_obs} persons"
        if self.scale:
            title += f", scale {self.scale!r}"
        columns = [c for c in self.items.columns if not c.startswith("se_")]
        return Summary(title, tuple(rows), tuple(notes), self.items[columns])

    def to_yaml(
        self,
        population: str,
        source: str,
        *,
        provenance: str = "C",
        note: str | None = None,
        scale: str | None = None,
        indent: int = 0,
    ) -> str:
        """The model as an entry of an instrument file's ``irt:`` section.

        Parameters
        ----------
        population
            The reference population whose trait is N(0, 1) in this calibration.
        source
            Citation key (of the instrument) for the calibration.
        provenance
            ``"P"``, ``"S"`` or ``"C"`` (computed from item-level data; the default).
        scale
            The scale id (default: the scale the model was fitted for).

        Examples
        --------
        >>> import pandas as pd
        >>> from efficacy.item_response import irt
        >>> import numpy as np
        >>> rng = np.random.default_rng(5)
        >>> trait = rng.normal(size=300)
        >>> items = pd.DataFrame(
        ...     {f"q{j}": (trait + rng.logistic(size=300) > 0) * 1 for j in range(3)}
        ... )
        >>> text = irt(items).to_yaml("a demo sample", "demo2024", scale="demo")
        >>> print(text.splitlines()[0])
        - scale: demo
        """
        from efficacy.errors import DataError

        scale = scale or self.scale
        if scale is None:
            raise DataError("to_yaml needs scale= for a model not fitted from an instrument")
        pad = " " * indent
        src = f"{{ref: {source}, provenance: {provenance}"
        src += f", note: {_quote(note)}}}" if note else "}"
        lines = [
            f"{pad}- scale: {scale}",
            f"{pad}  model: {self.model}",
            f"{pad}  population: {_quote(population)}",
            f"{pad}  source: {src}",
            f"{pad}  items:",
        ]
        pars = self.parameters
        for name, a, d, c in zip(pars.names, pars.a, pars.d, pars.codes, strict=True):
            d_text = ", ".join(_fmt(v) for v in d)
            c_text = ", ".join(_fmt(v) if v != int(v) else str(int(v)) for v in c)
            lines.append(
                f"{pad}    - {{id: {name}, a: {_fmt(a)}, d: [{d_text}], codes: [{c_text}]}}"
            )
        return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
