"""The README's accuracy table pinned: no activation or loss may lose more bits than the table says.

The maxima below are the README's (``python benchmarks/accuracy_table.py``, 3000 samples), or the
maximum this test's own sampling finds where it lands nearer a worst point (a root of the derivative,
where the relative error has no bound, or the subnormal tail of silu). Each function runs on 300
samples (evenly spaced binades over the same range), which finds every formula that loses all its
bits somewhere: putting back 1 + erf in gelu, 1 - tanh^2 in tanh's VJP or exp(x) - 1 in elu fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from accuracy_table import FUNCTIONS, row  # noqa: E402

# name: (float64 f max bits, float64 f' max bits, float32 f max bits, float32 f' max bits)
PINNED = {
    'sigmoid': (1.6, 2.0, 1.6, 2.0),
    'tanh': (1.1, 2.0, 1.1, 2.0),
    'relu': (0.1, 0.1, 0.1, 0.1),
    'leaky_relu': (0.1, 0.1, 1.1, 0.1),
    'prelu (alpha 0.25)': (0.1, 0.1, 0.1, 0.1),
    'elu': (1.0, 1.0, 1.6, 1.6),
    'softmax of (x, 0)': (1.6, 61.9, 1.6, 29.7),
    'log_softmax of (x, 0)': (61.9, 61.9, 29.7, 29.7),
    'gelu': (9.1, 9.7, 7.3, 6.8),
    'gelu (tanh)': (9.3, 9.7, 6.8, 6.9),
    'swish (beta 1)': (8.3, 8.3, 5.6, 7.5),
    'silu': (8.3, 8.3, 5.6, 7.5),
    'softplus': (1.1, 1.6, 1.6, 1.6),
    'selu': (1.6, 1.1, 1.6, 1.6),
    'celu': (1.0, 1.0, 1.6, 1.6),
    'mish': (8.3, 8.3, 5.6, 8.4),
    'hardtanh': (0.1, 0.1, 0.1, 0.1),
    'relu6': (0.1, 0.1, 0.1, 0.1),
    'hardsigmoid': (3.2, 0.1, 5.5, 0.1),
    'hardswish': (1.6, 2.6, 1.6, 4.5),
    'softsign': (1.1, 1.6, 1.1, 2.0),
    'logsigmoid': (1.1, 1.6, 1.6, 1.6),
    'tanhshrink': (2.3, 2.0, 2.8, 2.0),
    'softmin of (x, 0)': (1.1, 61.9, 2.0, 29.7),
    'mse_loss (target 0.5)': (1.6, 0.1, 1.6, 0.1),
    'l1_loss (target 0.5)': (0.1, 0.1, 0.1, 0.1),
    'huber_loss (target 0.5)': (1.6, 0.1, 1.6, 0.1),
    'binary_cross_entropy (p in [0, 1], target 0.3)': (1.6, 6.7, 1.6, 9.3),
    'binary_cross_entropy_with_logits (target 0.3)': (1.1, 4.7, 1.6, 8.7),
    'cross_entropy of (x, 0), class 0': (61.9, 61.9, 29.7, 29.7),
    'nll_loss of (x, 0), class 0': (0.1, 0.1, 0.1, 0.1),
    'hinge_loss (target 1)': (0.1, 0.1, 0.1, 0.1),
}
SLACK = 0.5  # the quick sampling may land nearer a worst point than the table's run did


def test_the_pins_cover_every_function() -> None:
    assert set(PINNED) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_no_function_loses_more_bits_than_the_readme_table(name: str, dtype: str) -> None:
    _, report = row(name, dtype, samples=300)
    f_max, d_max = PINNED[name][:2] if dtype == "float64" else PINNED[name][2:]
    value, derivative = report.outputs
    assert value.max_bits <= f_max + SLACK, f"{name} ({dtype}): f loses {value.max_bits:.1f} bits"
    assert derivative.max_bits <= d_max + SLACK, f"{name} ({dtype}): f' loses {derivative.max_bits:.1f} bits"
    assert derivative.formula is not None and not derivative.formula.mismatches
