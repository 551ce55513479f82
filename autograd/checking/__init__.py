"""Gradient checking: the engine's derivatives against central finite differences.

- :mod:`autograd.checking.check`: ``gradcheck``, ``gradgradcheck``, ``numerical_grad``
- :mod:`autograd.checking.inputs`: the function and its inputs, validated (``Problem``)
- :mod:`autograd.checking.report`: what a check found (``GradcheckReport``, ``GradcheckError``)
- :mod:`autograd.checking.strategies`: hypothesis strategies and ready property tests
  (needs hypothesis; importable as ``autograd.testing``)
- :mod:`autograd.checking.accuracy`: ``accuracy``, bits of error of a function and its derivatives
  against exact evaluation of the recorded graphs (:mod:`autograd.checking.exact`, needs mpmath;
  :mod:`autograd.checking.accuracy_measure` and :mod:`autograd.checking.accuracy_report`)
- :mod:`autograd.checking.cli`: the command line ``python -m autograd.gradcheck FILE:FUNC``
"""

from __future__ import annotations

from autograd.checking.accuracy import accuracy
from autograd.checking.accuracy_report import AccuracyReport
from autograd.checking.check import (
    gradcheck,
    gradcheck_report,
    gradgradcheck,
    gradgradcheck_report,
    numerical_grad,
)
from autograd.checking.inputs import signature_parameters
from autograd.checking.report import Entry, GradcheckError, GradcheckReport, GradcheckWarning, KinkWarning

__all__ = [
    "AccuracyReport", "Entry", "GradcheckError", "GradcheckReport", "GradcheckWarning", "KinkWarning",
    "accuracy", "gradcheck", "gradcheck_report", "gradgradcheck", "gradgradcheck_report", "numerical_grad",
    "signature_parameters",
]
