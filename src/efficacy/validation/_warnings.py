"""Errors and warnings of the validation topic.

:class:`ModelError` (a bad or unidentified factor model) derives from
:class:`~efficacy.errors.EfficacyError`; :class:`FitWarning` flags a fit whose numbers
should not be trusted as they stand (no convergence, Heywood case, latent covariance
matrix not positive definite).

Examples
--------
>>> from efficacy.errors import EfficacyError
>>> issubclass(ModelError, EfficacyError)
True
"""

from __future__ import annotations

from efficacy.errors import EfficacyError


class ModelError(EfficacyError, ValueError):
    """The factor model cannot be estimated as specified (names the factor or parameter)."""


class FitWarning(UserWarning):
    """The fit is not trustworthy as it stands; the message names the parameter."""
