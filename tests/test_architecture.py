"""The engine's layout: which module may import which, fast paths against the general path, node slots.

docs/ARCHITECTURE.md describes the layers; these tests hold the code to it.
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd
from autograd import Function, Value, detect_anomaly, no_grad
from autograd.engine import general_path, gradients
from autograd.registry import PRODUCT_RULE, REGISTRY

PACKAGE = Path(autograd.__file__).resolve().parent

# Each module may import only modules of earlier layers (docs/ARCHITECTURE.md).
LAYERS = [
    {"autograd.arrays", "autograd.mode", "autograd.registry", "autograd.checking.report",
     "autograd.checking.accuracy_report", "autograd.checking.rounding"},
    {"autograd.value"},
    {"autograd.apply", "autograd.program"},
    {"autograd.ops.elementwise", "autograd.ops.shapes", "autograd.ops.formulas", "autograd.ops.onnx_rules"},
    {"autograd.ops.reductions"},
    {"autograd.ops.linalg"},
    {"autograd.ops.composites"},
    {"autograd.ops.pytorch"},
    {"autograd.ops"},
    {"autograd.engine"},
    {"autograd.anomaly", "autograd.function", "autograd.functional"},
    {"autograd.checking.inputs", "autograd.checking.exact", "autograd.checking.accuracy_measure"},
    {"autograd.checking.check", "autograd.checking.accuracy"},
    {"autograd.checking", "autograd.checking.strategies", "autograd.checking.diagnose"},
    {"autograd.checking.cli", "autograd.testing", "autograd.viz.graph", "autograd.viz.layout"},
    {"autograd.viz.trace"},
    {"autograd.viz.explore"},
    {"autograd.gradcheck", "autograd.viz", "autograd.viz.__main__"},
    {"autograd"},
]
LAYER = {module: k for k, modules in enumerate(LAYERS) for module in modules}
# The imports allowed inside a function, each documented where it stands: Value.backward runs the
# engine (built on Value); the command line imports hypothesis, and the accuracy report the exact
# arithmetic (mpmath), optional dependencies, when they run.
DEFERRED = {("autograd.value", "autograd.engine"), ("autograd.checking.cli", "autograd.checking.strategies"),
            ("autograd.checking.accuracy", "autograd.checking.exact")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported autograd module, whether the import is at the top of the file) for each import."""
    tree = ast.parse(path.read_text())
    top = set()
    for statement in tree.body:
        if not isinstance(statement, (ast.Import, ast.ImportFrom, ast.Expr)):
            break  # past the docstring and the imports: anything further down is not "at the top"
        top.add(id(statement))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "autograd":
            names = [node.module]
            if node.module == "autograd":  # from autograd import ops -> the submodule
                names = [f"autograd.{a.name}" for a in node.names if f"autograd.{a.name}" in LAYER] or names
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "autograd"]
        found += [(name, id(node) in top) for name in names]
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert {_module_name(p) for p in MODULES} == set(LAYER)


@pytest.mark.parametrize("path", MODULES, ids=_module_name)
def test_imports_point_down_the_layers(path: Path) -> None:
    """No import cycle: a module imports only from earlier layers, at the top of the file."""
    module = _module_name(path)
    for imported, at_top in _imports(path):
        if (module, imported) in DEFERRED:
            assert not at_top, f"{module} imports {imported} at the top: it must stay deferred"
            continue
        assert at_top, f"{module} imports {imported} inside a function or below the top of the file"
        assert LAYER[imported] < LAYER[module], f"{module} (layer {LAYER[module]}) imports {imported} " \
                                                f"(layer {LAYER[imported]})"


def test_the_array_helpers_import_only_numpy() -> None:
    tree = ast.parse((PACKAGE / "arrays.py").read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"__future__", "math", "typing", "numpy"}


@pytest.mark.parametrize("statement", [
    "import autograd.ops, autograd.testing, autograd.viz; import nn",
    "import nn; import autograd.viz, autograd.testing, autograd.ops",
    "import autograd.testing; import nn; import autograd.ops",
    "from autograd.value import Value; import autograd.gradcheck; import nn",
    "import autograd.checking.cli; import autograd.engine; import nn.optim",
    "from autograd.ops.linalg import matmul; from nn.optim import SGD",
])
def test_any_import_order_works(statement: str) -> None:
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=60)


# ---------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("name", sorted(n for n, p in REGISTRY.items() if p.fast_vjp is not None))
def test_a_fast_vjp_computes_what_its_vjp_computes(name: str) -> None:
    prim = REGISTRY[name]
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 1)), rng.standard_normal((4,))
    ans = prim.forward(x, y)
    g = rng.standard_normal(np.shape(ans))
    for i in (0, 1):
        assert np.array_equal(prim.fast_vjp.gradient(i, g, x, y), prim.vjps[i](g, ans, x, y))


def _micrograd_expression(a: Value, b: Value) -> Value:
    c = a + b
    d = a * b + b**3
    c += c + 1
    d += d * 2 + (b + a).relu()
    e = c - d
    return (e**2) / 2.0 + 10.0 / (e**2)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_the_general_path_gives_the_fast_paths_gradients_bit_for_bit(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(1)
    a0, b0 = rng.uniform(-2, 2, shape), rng.uniform(-2, 2, (1,) * len(shape))
    grads = []
    for forced in (False, True):
        a, b = Value(a0), Value(b0)
        out = _micrograd_expression(a, b).sum()
        if forced:
            with general_path():
                out.backward()
        else:
            out.backward()
        grads.append((np.asarray(a.grad), np.asarray(b.grad)))
    for fast, general in zip(*grads, strict=True):
        assert np.array_equal(fast, general)


def test_a_new_vjp_reaches_the_first_order_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """A derivative has one source: replacing multiply's VJPs changes first and second order alike."""
    multiply = REGISTRY["multiply"]
    doubled = tuple(lambda g, ans, x, y, vjp=vjp: 2.0 * vjp(g, ans, x, y) for vjp in multiply.vjps)
    monkeypatch.setattr(multiply, "vjps", doubled)
    assert multiply.fast_vjp is None
    x = Value(3.0)
    (x * 5.0).backward()
    assert x.grad == 10.0
    y = Value(3.0)
    (g,) = gradients(y * 5.0, [y], create_graph=True)
    assert float(g.data) == 10.0
    monkeypatch.undo()
    assert multiply.fast_vjp is PRODUCT_RULE  # the declared VJPs are back, and their fast path


# ---------------------------------------------------------------------------- node construction


class _Cube(Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):  # type: ignore[no-untyped-def]
        (x,) = ctx.saved
        return 3 * x**2 * g


def _nodes_from_every_path() -> dict[str, Value]:
    s, t = Value(2.0), Value(np.ones((2, 3)))
    nodes = {
        "leaf": s, "array leaf": t, "labelled leaf": Value(1.0, label="x"),
        "binary operator": s * 3.0, "reflected operator": 3.0 - s, "array operator": t * t,
        "unary method": s.exp(), "unary function": autograd.tanh(t), "one input with params": t.sum(axis=0),
        "two inputs with params": autograd.where(t.data > 0, t, 0.0), "three inputs": autograd.linear(t, t, t[:, 0]),
        "variadic": autograd.concatenate([t, t]), "function": _Cube.apply(t), "detach": t.detach(),
        "copy": copy.copy(t * 2.0),
    }
    with no_grad():
        nodes["under no_grad"] = s * 3.0
        nodes["unary under no_grad"] = t.exp()
    with detect_anomaly():
        nodes["under detect_anomaly"] = s * 3.0
        nodes["unary under detect_anomaly"] = t.exp()
    return nodes


@pytest.mark.parametrize("path", sorted(_nodes_from_every_path()))
def test_every_way_of_making_a_node_sets_every_slot(path: str) -> None:
    node = _nodes_from_every_path()[path]
    for slot in Value.__slots__:
        if slot != "__weakref__":
            getattr(node, slot)  # an unset slot raises AttributeError
