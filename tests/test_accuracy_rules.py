"""Every primitive's exact rule (the registry's third column) computes what its forward computes.

Each catalogue case (tests/primitive_catalogue.py) and its recorded derivative graph are
re-evaluated exactly; every node's exact value, rounded to float64, must match the engine's
float64 value of that node up to the rounding of a few operations. A rule that computes
another function (erf for erfc, a missing sign, a wrong axis) is far outside that.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_catalogue import CATALOGUE

from autograd import REGISTRY, Value
from autograd.checking import exact
from autograd.checking.accuracy_measure import graph_nodes
from autograd.engine import gradients

MODES = [(name, mode) for name, modes in CATALOGUE.items() for mode in modes]


def test_every_registered_primitive_has_an_exact_rule() -> None:
    missing = sorted(name for name, prim in REGISTRY.items() if prim.exact is None)
    assert not missing, f"primitives without an exact rule (the accuracy report cannot evaluate them): {missing}"


@pytest.mark.parametrize(("name", "mode"), MODES, ids=[f"{n}-{m}" for n, m in MODES])
@settings(max_examples=4)
@given(data=st.data())
def test_the_exact_rule_matches_the_forward(name: str, mode: str, data: st.DataObject) -> None:
    case = data.draw(CATALOGUE[name][mode](), label="case")
    leaves = [Value(x) for x in case.inputs]
    out = case.fn(*leaves)
    grads = gradients(out, leaves, grad=np.ones(out.shape), create_graph=True)
    outputs = [out, *(g for g in grads if isinstance(g, Value))]
    nodes = graph_nodes(outputs)
    assert name in {node.op for node in nodes}
    values = exact.evaluate(nodes, {id(v): exact.to_exact(v.data) for v in leaves}, 160)
    fmt = exact.Format(np.float64)
    for node in nodes:
        computed = np.asarray(node.data, dtype=np.float64)
        expected = exact.rounded(values[id(node)], fmt)
        scale = max(1.0, float(np.max(np.abs(computed), initial=0.0)))
        np.testing.assert_allclose(expected, computed, rtol=1e-9, atol=1e-9 * scale,
                                   err_msg=f"exact rule of '{node.op}' in {name} ({case.what})")
