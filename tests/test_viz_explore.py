"""The explorer page's content (without a browser), the formula table, and the notebook displays.

What the page shows is checked against the engine: a separate ``backward()`` on
the same graph, the trace's numbers, and gradients worked out by hand.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from viz_graphs import chain_of_neurons, neuron, tensor_mlp, used_twice

from autograd import Value, no_grad
from autograd.ops.formulas import FORMULAS, formula
from autograd.registry import REGISTRY, PerInput
from autograd.viz import GraphvizUnavailable, draw, explore, explore_html, trace
from autograd.viz.explore import numbers, page_data


def page_json(page: str) -> dict:
    match = re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_every_registered_primitive_has_one_formula_per_input() -> None:
    assert set(FORMULAS) == set(REGISTRY)
    for name, primitive in REGISTRY.items():
        expected = 1 if isinstance(primitive.vjps, PerInput) else len(primitive.vjps)  # type: ignore[arg-type]
        assert len(FORMULAS[name]) == expected, name
        assert all(text.startswith("d") for text in FORMULAS[name]), name
    assert formula("tanh", 0) == "d tanh(x)/dx = 1 - tanh(x)^2"
    assert formula("concatenate", 5) == FORMULAS["concatenate"][0]


def test_the_page_holds_the_engines_gradients_and_changes_nothing(tmp_path) -> None:
    o, leaves = neuron()
    path = explore(o, tmp_path / "backprop.html")
    assert all(leaf.grad is None for leaf in leaves.values())      # explore stores no .grad
    o.backward()                                                   # ... and keeps the graph
    data = page_json(path.read_text())
    shown = {g["name"]: g["grad"] for g in data["grads"]}
    assert shown == {name: numbers(leaf.grad) for name, leaf in leaves.items()}
    # by hand: do/dn = 1 - tanh(n)^2 = 0.5 at n = atanh(1/sqrt 2); do/dw1 = x1 * 0.5 = 1
    assert shown["w1"] == "1" and shown["x1"] == "-1.5" and shown["b"] == "0.5" and shown["w2"] == "0"
    tanh_step = data["backward"][0]
    assert data["nodes"][tanh_step["node"]]["name"] == "o" and tanh_step["upstream"] == "1"
    (to_n,) = tanh_step["inputs"]
    assert to_n["formula"] == "d tanh(x)/dx = 1 - tanh(x)^2" and to_n["local"] == "0.5"
    assert to_n["contribution"] == "0.5"


def test_forward_then_backward_order_and_layout_inputs_left() -> None:
    o, _ = neuron()
    data = page_data(o)
    nodes = data["nodes"]
    assert len(nodes) == 10 and sorted(data["forward"]) == list(range(10))
    position = {k: n for k, n in enumerate(data["forward"])}
    for k, node_id in position.items():          # forward: every input before the node that uses it
        assert all(data["forward"].index(i) < k for i in nodes[node_id]["inputs"])
    for node in nodes:                            # layout: inputs strictly left of their consumers
        assert all(nodes[i]["x"] < node["x"] for i in node["inputs"])
    assert nodes[data["output"]]["x"] == max(n["x"] for n in nodes)
    assert data["backward"][0]["node"] == data["output"] and len(data["backward"]) == 10
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)    # no two boxes on one spot


def test_running_sum_at_a_node_used_twice() -> None:
    e, a, _ = used_twice()
    data = page_data(e)
    a_id = next(n["id"] for n in data["nodes"] if n["name"] == "a")
    sent = [item for step in data["backward"] for item in step["inputs"] if item["to"] == a_id]
    # d sends a -8 (d = c + a), then c sends a -8 * b = 24 (c = a * b): the sum goes -8, then 16
    assert [(s["contribution"], s["running"], s["received"], s["uses"]) for s in sent] == [
        ("-8", "-8", 1, 2), ("24", "16", 2, 2)]
    assert {g["name"]: g["grad"] for g in data["grads"]} == {"a": "16", "b": "-16"}


def test_tensor_nodes_show_shape_and_a_few_numbers() -> None:
    loss, params = tensor_mlp()
    data = page_data(loss)
    loss.backward()
    shapes = {n["shape"] for n in data["nodes"]}
    assert {"4x3", "5x4", "scalar"} <= shapes
    assert {g["grad"] for g in data["grads"]} == {numbers(p.grad) for p in params}
    weight = next(n for n in data["nodes"] if n["shape"] == "4x3")
    assert weight["data"].startswith("[") and weight["data"].endswith(", ...]")
    linear_steps = [s for s in data["backward"] if data["nodes"][s["node"]]["op"] == "linear"]
    assert linear_steps and all(item["local"] == "" for s in linear_steps for item in s["inputs"])  # a VJP


def test_labels_are_escaped_and_the_page_is_self_contained(tmp_path) -> None:
    o, _ = neuron(w2_label="</script><script>alert(1)</script>")
    page = explore_html(o)
    assert "<script>alert" not in page and "</script><script>" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page
    assert "</script><script>alert(1)</script>" in {n["name"] for n in page_json(page)["nodes"]}
    assert page.count("<script") == 2                              # the data and the page's own script
    for external in ("<link", "src=", "@import", "url(", "https://", "fetch(", "XMLHttpRequest"):
        assert external not in page, external
    assert set(re.findall(r"https?://[^\s\"']+", page)) == {"http://www.w3.org/2000/svg"}  # namespaces only
    title = explore_html(o, title="<b>mine</b>")
    assert "<title>&lt;b&gt;mine&lt;/b&gt;</title>" in title


def test_bad_input_gets_a_clear_error(tmp_path) -> None:
    with pytest.raises(TypeError, match="needs a Value"):
        explore(3.0, tmp_path / "p.html")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is a leaf"):
        explore(Value(2.0, label="a"), tmp_path / "p.html")
    with no_grad():
        constant = Value(2.0) * 3.0
    with pytest.raises(ValueError, match="does not require grad"):
        explore(constant, tmp_path / "p.html")
    o, _ = neuron()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        explore(o, tmp_path / "missing" / "p.html")
    o.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        explore(o, tmp_path / "p.html")
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        explore_html(o)
    assert not (tmp_path / "p.html").exists()
    v = Value(np.ones(3)) * 2.0
    with pytest.raises(RuntimeError, match="grad"):
        explore(v, tmp_path / "p.html")
    assert page_data(v, grad=np.ones(3))["grads"][0]["grad"] == "[2, 2, 2]"


def test_a_300_node_graph_is_quick_to_build() -> None:
    out = chain_of_neurons(300)
    start = time.perf_counter()
    page = explore_html(out)
    assert time.perf_counter() - start < 2.0
    assert len(page_json(page)["nodes"]) >= 300 and len(page) < 400_000


def test_the_command_line_writes_the_page(tmp_path) -> None:
    target = tmp_path / "graph.py"
    target.write_text("from autograd import Value\n\ndef f():\n    a = Value(2.0, label='a')\n"
                      "    return (a * a).tanh()\n\ndef g():\n    return 3\n")
    out = tmp_path / "page.html"
    done = subprocess.run([sys.executable, "-m", "autograd.viz", f"{target}:f", "-o", str(out)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "wrote" in done.stdout and out.exists()
    assert {g["name"] for g in page_json(out.read_text())["grads"]} == {"a"}
    bad = subprocess.run([sys.executable, "-m", "autograd.viz", f"{target}:g"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "not a Value" in bad.stderr and "Traceback" not in bad.stderr


def test_value_html_summary_for_notebooks() -> None:
    x = Value(np.arange(8.0).reshape(2, 4), label="<x>")
    y = (x * 2.0).sum()
    y.backward()
    text = x._repr_html_()
    assert "&lt;x&gt;" in text and "<x>" not in text
    for part in ("leaf", "2&times;4, float64", "[0, 1, 2, 3, 4, 5, ...]", "[2, 2, 2, 2, 2, 2, ...]", "yes"):
        assert part in text, part
    assert "sum" in y._repr_html_() and "<code>-</code>" in y._repr_html_()    # no grad kept on a result


def test_trace_html_table_escapes_and_follows_the_rows() -> None:
    o, _ = neuron(w2_label="<script>")
    t = trace(o)
    text = t._repr_html_()
    assert text.count("<tr>") == 1 + sum(max(1, len(r.inputs)) for r in t.rows)
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert "d tanh(x)/dx = 1 - tanh(x)^2" in text and "accumulated into .grad" in text


def test_draw_gives_a_digraph_or_says_how_to_install(monkeypatch) -> None:
    e, _, _ = used_twice()
    pytest.importorskip("graphviz")
    graph = draw(e)
    assert type(graph).__name__ == "Digraph" and "rankdir=LR" in graph.source and "a | data 2" in graph.source
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(GraphvizUnavailable, match="pip install graphviz"):
        draw(e)
