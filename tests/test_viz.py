"""Study tools: DOT text, rendering (with and without Graphviz) and the backward-pass trace.

The expected numbers are worked out by hand in each test from the chain rule,
never copied from the tools' output.
"""

from __future__ import annotations

import math
import re
import shutil
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.viz import GraphvizUnavailable, node_names, render, to_dot, trace


def small_graph() -> tuple[Value, Value, Value, Value, Value]:
    """e = (a*b + a)^2 at a = 2, b = -3, every intermediate labelled."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    e = d**2
    e.label = "e"
    return a, b, c, d, e


def test_trace_rows_follow_the_chain_rule_by_hand() -> None:
    a, b, c, d, e = small_graph()
    # forward: c = 2 * -3 = -6, d = -6 + 2 = -4, e = 16
    # backward: de/dd = 2d = -8; d passes -8 * 1 to c and to a;
    # c passes -8 * b = 24 to a and -8 * a = -16 to b; a collects 24 - 8 = 16.
    t = trace(e)
    by_name = {row.name: row for row in t.rows}
    assert [row.name for row in t.rows[:3]] == ["e", "d", "c"]
    assert {row.name for row in t.rows[3:]} == {"a", "b"}

    (to_d,) = by_name["e"].inputs
    assert by_name["e"].op == "power" and by_name["e"].upstream == 1.0
    assert (to_d.name, to_d.local, to_d.contribution) == ("d", -8.0, -8.0)

    assert by_name["d"].upstream == -8.0
    assert {(i.name, i.local, i.contribution) for i in by_name["d"].inputs} == {("c", 1.0, -8.0), ("a", 1.0, -8.0)}

    assert by_name["c"].op == "multiply" and by_name["c"].upstream == -8.0
    assert {(i.name, i.local, i.contribution) for i in by_name["c"].inputs} == {("a", -3.0, 24.0), ("b", 2.0, -16.0)}

    assert by_name["a"].upstream == 16.0 and by_name["a"].inputs == []
    assert by_name["b"].upstream == -16.0
    # e = a^2 (b + 1)^2: de/da = 2a(b+1)^2 = 16, de/db = 2a^2(b+1) = -16
    assert a.grad == 16.0 and b.grad == -16.0


def test_trace_text_is_a_table_a_learner_can_read() -> None:
    *_, e = small_graph()
    text = trace(e)
    assert isinstance(text, str)
    lines = text.splitlines()
    assert lines[0].startswith("Backward pass from e")
    header = lines[1]
    for column in ("node", "op", "upstream grad", "local", "contribution"):
        assert column in header
    row_c = next(line for line in lines if line.split()[1:3] == ["c", "multiply"])
    assert row_c.split()[3:6] == ["-6", "-8", "a"] and row_c.split()[-2:] == ["-3", "24"]
    assert any("accumulated into a.grad" in line for line in lines)


def test_trace_accumulates_like_backward_and_frees_the_graph() -> None:
    a, b, _, _, e = small_graph()
    trace(e, retain_graph=True)
    trace(e)
    assert a.grad == 32.0 and b.grad == -32.0   # two passes of 16 and -16, as backward would give
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        trace(e)


@given(st.floats(0.2, 3.0), st.floats(-3.0, 3.0))
def test_trace_of_a_composite_matches_hand_derivatives(x: float, y: float) -> None:
    # f = tanh(x * y) + exp(x) / x
    # df/dx = (1 - tanh^2(xy)) y + exp(x) (x - 1) / x^2,  df/dy = (1 - tanh^2(xy)) x
    a = Value(x, label="x")
    b = Value(y, label="y")
    p = a * b
    t_ = p.tanh()
    f = t_ + a.exp() / a
    tr = trace(f)
    sech2 = 1.0 - math.tanh(x * y) ** 2
    leaves = {row.name: row.upstream for row in tr.rows if row.op == "leaf"}
    assert leaves["x"] == pytest.approx(sech2 * y + math.exp(x) * (x - 1) / x**2, rel=1e-12, abs=1e-12)
    assert leaves["y"] == pytest.approx(sech2 * x, rel=1e-12, abs=1e-12)
    tanh_row = next(row for row in tr.rows if row.op == "tanh")
    assert tanh_row.inputs[0].local == pytest.approx(sech2, rel=1e-12, abs=1e-15)
    # every row: contribution = local derivative x upstream (scalars)
    for row in tr.rows:
        for item in row.inputs:
            assert item.contribution == pytest.approx(item.local * row.upstream, rel=1e-12, abs=1e-15)


def test_trace_on_arrays_shows_shapes_and_elementwise_local_derivatives() -> None:
    x = Value(np.array([1.0, 2.0, 3.0]), label="x")
    w = Value(np.array([0.5, -1.0, 2.0]), label="w")
    s = (x * w).sum()
    s.label = "s"
    tr = trace(s)
    mul = next(row for row in tr.rows if row.op == "multiply")
    to_x = next(i for i in mul.inputs if i.name == "x")
    np.testing.assert_array_equal(to_x.local, [0.5, -1.0, 2.0])        # d(x_i w_i)/dx_i = w_i
    np.testing.assert_array_equal(to_x.contribution, [0.5, -1.0, 2.0])  # upstream is 1 from the sum
    np.testing.assert_array_equal(x.grad, [0.5, -1.0, 2.0])
    np.testing.assert_array_equal(w.grad, [1.0, 2.0, 3.0])
    assert "(3,) [0.5, -1, 2]" in tr


def test_trace_of_matmul_gives_the_vjp_and_needs_grad_for_arrays() -> None:
    W = Value(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), label="W")
    x = Value(np.array([1.0, -1.0]), label="x")
    y = W @ x
    with pytest.raises(RuntimeError, match="grad"):
        trace(y, retain_graph=True)
    g = np.array([1.0, 0.0, 2.0])
    tr = trace(y, grad=g)
    row = tr.rows[0]
    assert row.op == "matmul"
    to_w = next(i for i in row.inputs if i.name == "W")
    assert to_w.local is None                                   # a full Jacobian is not printed
    np.testing.assert_array_equal(to_w.contribution, np.outer(g, [1.0, -1.0]))   # dW = g x^T
    np.testing.assert_array_equal(x.grad, [1 + 2 * 5, 2 + 2 * 6])                 # W^T g
    assert "Jacobian" in tr


def test_names_use_labels_and_stay_unique() -> None:
    a = Value(1.0, label="w")
    b = Value(2.0, label="w")
    c = a * b + 1.0
    names = node_names(c)
    assert names[a] == "w" and names[b] == "w#2"
    assert sorted(names.values()) == ["v0", "v1", "w", "w#2"]


def _parse_dot(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    nodes = dict(re.findall(r"^\s+(\w+) \[(.*)\];$", text, flags=re.M))
    edges = re.findall(r"^\s+(\w+) -> (\w+);$", text, flags=re.M)
    return nodes, edges


def test_to_dot_has_one_node_per_value_and_per_op() -> None:
    a, b, c, d, e = small_graph()
    text = to_dot(e)
    assert text.startswith("digraph") and text.rstrip().endswith("}")
    nodes, edges = _parse_dot(text)
    records = [k for k, v in nodes.items() if "shape=record" in v]
    ops = [k for k, v in nodes.items() if "shape=ellipse" in v]
    assert len(records) == 5            # a, b, c, d, e
    assert len(ops) == 3                # *, +, **
    for src, dst in edges:              # every edge joins declared nodes
        assert src in nodes and dst in nodes
    # c = a * b: both a and b feed the multiply op, whose output is c
    label_of = {k: v for k, v in nodes.items()}
    c_id = next(k for k in records if "{ c |" in label_of[k])
    mul_op = c_id + "_op"
    assert 'label="*"' in label_of[mul_op]
    sources = {s for s, t in edges if t == mul_op}
    assert {label_of[s].split("{ ")[1].split(" |")[0] for s in sources} == {"a", "b"}
    # the exponent 2 of d**2 is a constant node
    assert any('shape=plaintext, label="2"' in v for v in nodes.values())
    assert "data -6" in label_of[c_id] and "grad -" in label_of[c_id]


def test_to_dot_shows_gradients_from_a_trace_and_arrays_by_shape() -> None:
    a, b, c, d, e = small_graph()
    t = trace(e)
    text = to_dot(e, grads=t.grads)
    assert "{ c | data -6 | grad -8 }" in text        # de/dc = 2d = -8
    assert "{ a | data 2 | grad 16 }" in text
    x = Value(np.arange(12.0).reshape(3, 4), label="x")
    text = to_dot((x * 2.0).sum())
    assert "(3, 4) [0, 1, 2, ...]" in text


def test_render_without_the_python_package_says_how_to_install(tmp_path, monkeypatch) -> None:
    *_, e = small_graph()
    monkeypatch.setitem(sys.modules, "graphviz", None)   # import graphviz -> ImportError
    with pytest.raises(GraphvizUnavailable) as info:
        render(e, tmp_path / "graph.svg")
    message = str(info.value)
    assert 'pip install -e ".[viz]"' in message and "apt-get install graphviz" in message
    assert str(tmp_path / "graph.dot") in message
    assert (tmp_path / "graph.dot").read_text() == to_dot(e)


def test_render_without_the_dot_program_says_how_to_install(tmp_path, monkeypatch) -> None:
    pytest.importorskip("graphviz")
    *_, e = small_graph()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizUnavailable, match="apt-get install graphviz"):
        render(e, tmp_path / "sub" / "graph.png")
    assert (tmp_path / "sub" / "graph.dot").read_text() == to_dot(e)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz dot program is not installed")
def test_render_draws_svg_when_graphviz_is_installed(tmp_path) -> None:
    pytest.importorskip("graphviz")
    *_, e = small_graph()
    out = render(e, tmp_path / "graph")
    assert out.suffix == ".svg"
    assert "<svg" in out.read_text()
