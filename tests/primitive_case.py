"""A check point of the primitive catalogue (:class:`Case`) and the helpers its strategies share.

See tests/primitive_catalogue.py (CATALOGUE, COMPOSITES) and tests/primitive_cases_arrays.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from autograd.testing import arrays, floats

Strategy = st.SearchStrategy


@dataclass(frozen=True)
class Case:
    """One check point: ``fn(*inputs)``; ``what`` describes the parameters for failure reports."""

    what: str
    inputs: tuple[Any, ...]
    fn: Callable[..., Any] = field(repr=False)


SMALL = {"max_dims": 3, "max_side": 3}  # at most 27 elements: finite differences stay cheap


def _point(draw: Any, shape: tuple[int, ...] | None, lo: float, hi: float, avoid: tuple[float, ...] = (),
           margin: float = 1e-2, elements: Strategy[float] | None = None) -> Any:
    """A Python float (shape None) or a float64 array of ``shape``."""
    elements = elements if elements is not None else floats(lo, hi, avoid=avoid, margin=margin)
    if shape is None:
        return draw(elements)
    return draw(arrays(shape, elements=elements))
