"""``export_onnx``: a module's recorded graph written as an ONNX model, one rule per primitive.

The module runs once on the example; :func:`autograd.program.steps` lists the recorded nodes and
``autograd.ops.onnx_rules.ONNX_RULES`` turns each into ONNX nodes (the rule table beside the primitive
registry). Parameters, buffers and constants become initializers. The raw arrays a composite derives
from the data (a ReLU's condition, a softmax's shift) were recorded with their rule while tracing, so
the model computes them from its input instead of freezing the example's numbers.

float64 models: onnxruntime's CPU provider has no float64 Erf kernel, so ``erf`` (and ``erfc``, and
through them the exact GELU) is computed in float32 between two Casts inside a float64 model
(``FLOAT32_OPS``); everything else stays in the model's dtype.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from autograd import Value, enable_grad
from autograd.ops.onnx_rules import ONNX_RULES, OPSET
from autograd.program import Derived, recording_recipes, steps
from nn.module import Module

__all__ = ["FLOAT32_OPS", "OPSET", "export_onnx"]

FLOAT32_OPS = ("Erf",)  # ONNX ops computed in float32 inside a float64 export


def _onnx() -> Any:
    try:
        import onnx  # an optional dependency: the extra `onnx`
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise ImportError("nn.export_onnx needs the onnx package: pip install -e '.[onnx]'") from error
    return onnx


class _Emitter:
    """Builds the ONNX graph; ``ONNX_RULES`` call its methods for the step being emitted."""

    def __init__(self, onnx: Any, batch: int | None, example: Any, names: dict[int, str]) -> None:
        self.onnx, self.batch, self.example = onnx, batch, example
        self.names = names  # id(Value or parameter array) -> ONNX name
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.keep: list[Any] = []  # arrays whose ids are keys of self.names
        self.count = 0
        self.float32_used: set[str] = set()
        self.named: dict[int, tuple[str, Any]] = {}  # parameters and buffers, made initializers when used

    def known(self, key: int) -> str | None:
        if key not in self.names and key in self.named:
            name, array = self.named[key]
            self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
            self.names[key] = name
        return self.names.get(key)

    # -- names
    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, array: Any, hint: str = "const") -> str:
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type: str, inputs: list[str], **attributes: Any) -> str:
        out = self.fresh(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, inputs, [out], **attributes))
        return out

    def ints(self, values: Any) -> str:
        return self.constant(np.asarray(values, dtype=np.int64), "ints")

    def scalar(self, number: float) -> str:
        return self.constant(np.asarray(number, dtype=self.out_dtype), "scalar")

    def indices(self, array: Any) -> str:
        if array is self.example:
            return self.names[id(array)]
        return self.constant(np.asarray(array, dtype=np.int64), "indices")

    # -- the step being emitted
    def start(self, step: Any) -> None:
        self.step = step
        self.out_dtype = np.asarray(step.output.data).dtype
        self.in_shapes = [np.shape(x.data if isinstance(x, Value) else x) for x in step.inputs]
        self.out_shape = np.shape(step.output.data)

    def name_of(self, x: Any, dtype: Any = None) -> str:
        """The ONNX name of an input: a Value's, or a new initializer (a derived array computed in the model)."""
        if isinstance(x, Value):
            name = self.known(id(x))
            if name is None:
                raise NotImplementedError(f"ONNX export: a {x.op or 'leaf'} Value of shape {x.shape} is used "
                                          "but was not recorded in the graph")
            if dtype is not None and np.dtype(dtype) != x.dtype:
                name = self.node("Cast", [name], to=self._type(dtype))
            return name
        if isinstance(x, Derived):
            name = self.derived(x)
            return name if dtype is None else self.node("Cast", [name], to=self._type(dtype))
        if self.known(id(x)) is not None:  # a buffer (BatchNorm's running statistics): named initializer
            return self.names[id(x)]
        array = np.asarray(x, dtype=dtype if dtype is not None else (self.out_dtype if type(x) is float else None))
        return self.constant(array)

    def inputs(self) -> list[str]:
        return [self.name_of(x) for x in self.step.inputs]

    def operands(self) -> list[str]:
        return [self.name_of(x, self.out_dtype) for x in self.step.inputs]

    def _type(self, dtype: Any) -> int:
        return int(self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    def float32(self, op_type: str, inputs: list[str]) -> str:
        if self.out_dtype != np.float64:
            return self.node(op_type, inputs)
        self.float32_used.add(op_type)
        down = [self.node("Cast", [name], to=self._type(np.float32)) for name in inputs]
        return self.node("Cast", [self.node(op_type, down)], to=self._type(np.float64))

    def condition(self, cond: Any) -> str:
        if isinstance(cond, Derived):
            return self.derived(cond)
        return self.constant(np.asarray(cond, dtype=np.bool_), "mask")

    def derived(self, array: Derived) -> str:
        """The nodes computing ``RULES[rule](source)`` (autograd.program) inside the model."""
        rule, source, params = array.recipe
        x = self.name_of(source)
        other = params.get("other", 0.0)
        if rule in ("max", "finite_max"):
            m = self.node("ReduceMax", [x, self.ints([params.get("axis", -1)])], keepdims=1)
            if rule == "max":
                return m
            bad = self.node("Or", [self.node("IsNaN", [m]), self.node("IsInf", [m])])
            return self.node("Where", [bad, self.constant(np.zeros((), source.dtype)), m])
        bound = self.constant(np.asarray(other, dtype=source.dtype))
        compare = {"greater": "Greater", "greater_equal": "GreaterOrEqual", "less": "Less",
                   "less_equal": "LessOrEqual"}
        if rule in compare:
            return self.node(compare[rule], [x, bound])
        raise NotImplementedError(f"ONNX export: no ONNX form for the derived array rule {rule!r}")


def _outputs(result: Any) -> list[Value]:
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    return [item for item in items if item is not None]


def export_onnx(module: Module, example_input: Any, path: str | os.PathLike[str], input_names: Any = None,
                output_names: Any = None, dynamic_batch: bool = True) -> Any:
    """Trace ``module(example_input)`` and write it to ``path`` as an ONNX model (opset ``OPSET``).

    Args:
        module: the model (put it in ``eval()`` mode first: the export records the graph that runs).
        example_input: an ndarray of the input's shape and dtype (float32/float64, or integer
            indices for an Embedding).
        path: the ``.onnx`` file to write (its directory must exist).
        input_names: one name for the input (default ``["input"]``).
        output_names: one name per output (default ``output`` or ``output_0``, ``output_1``, ...).
        dynamic_batch: make the first axis of the input (and of outputs that share it) symbolic.

    Returns:
        the ``onnx.ModelProto`` written (it passes ``onnx.checker.check_model``).

    Raises:
        NotImplementedError: naming a primitive (or an index) that ONNX cannot express, or one that uses an
            array computed from the data outside the graph (found by tracing a second input and comparing).
        ValueError: a module that records no graph, an example it cannot run on, names of the wrong length.
        FileNotFoundError: ``path`` in a directory that does not exist.
    """
    onnx = _onnx()
    directory = os.path.dirname(os.fspath(path)) or "."
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"export_onnx: directory {directory!r} of path {os.fspath(path)!r} does not exist")
    example = np.asarray(example_input.data if isinstance(example_input, Value) else example_input)
    if example.dtype.kind not in "fiu":
        raise TypeError(f"export_onnx: the example must hold numbers, got dtype {example.dtype}")
    input_names = ["input"] if input_names is None else list(input_names)
    if len(input_names) != 1:
        raise ValueError(f"export_onnx: input_names has {len(input_names)} names for the model's 1 input")
    batch = int(example.shape[0]) if dynamic_batch and example.ndim else None
    traced_input = Value(example) if example.dtype.kind == "f" else example
    result = _trace(module, traced_input, example)
    outputs = _outputs(result)
    if not outputs or not all(isinstance(o, Value) and o._prim is not None for o in outputs) or not any(
            steps(o) and _reaches(o, traced_input) for o in outputs):
        raise ValueError("export_onnx: the module's output records no graph from the input (it is a constant, "
                         "or the forward does not use its input): nothing to export")
    output_names = ([f"output_{k}" for k in range(len(outputs))] if len(outputs) > 1 else ["output"]) \
        if output_names is None else list(output_names)
    if len(output_names) != len(outputs):
        raise ValueError(f"export_onnx: output_names has {len(output_names)} names for the model's "
                         f"{len(outputs)} output(s)")

    names: dict[int, str] = {id(traced_input): input_names[0]}
    emitter = _Emitter(onnx, batch, example, names)
    for name, parameter in module.named_parameters():
        emitter.named[id(parameter)] = (name, parameter.data)
    for name, buffer in module.named_buffers():
        emitter.named.setdefault(id(buffer), (name, buffer))

    order = _order(outputs)
    other = (0.5 - 1.7 * example).astype(example.dtype) if example.dtype.kind == "f" else np.roll(example, 1)
    with np.errstate(all="ignore"):  # a probe: the second input may leave log's or sqrt's domain
        probe = _outputs(_trace(module, Value(other) if example.dtype.kind == "f" else other, other))
    _check_nothing_frozen(order, _order(probe), example, other)
    for step in order:
        for x in step.inputs:  # leaves that are not parameters: constants of the graph
            if isinstance(x, Value) and x._prim is None and emitter.known(id(x)) is None:
                names[id(x)] = emitter.constant(np.asarray(x.data), "leaf")
        rule = ONNX_RULES.get(step.op)
        if rule is None:
            raise NotImplementedError(f"ONNX export: primitive {step.op!r} has no ONNX rule")
        emitter.start(step)
        names[id(step.output)] = rule(emitter, **step.params)

    def info(name: str, array: Any) -> Any:
        shape: list[Any] = list(np.shape(array))
        if batch is not None and shape and shape[0] == batch:
            shape[0] = "batch"
        return onnx.helper.make_tensor_value_info(name, emitter._type(np.asarray(array).dtype), shape)

    for out, name in zip(outputs, output_names, strict=True):
        emitter.nodes.append(onnx.helper.make_node("Identity", [names[id(out)]], [name]))
    graph = onnx.helper.make_graph(
        emitter.nodes, type(module).__name__, [info(input_names[0], example)],
        [info(name, out.data) for out, name in zip(outputs, output_names, strict=True)],
        initializer=emitter.initializers)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="autograd-nn")
    model.ir_version = min(model.ir_version, 10)  # what current onnxruntime releases read
    onnx.checker.check_model(model)
    onnx.save(model, os.fspath(path))
    return model


def _reaches(output: Value, source: Any) -> bool:
    """Whether ``source`` (the traced input Value, or the example's index array) is used by the graph."""
    for step in steps(output):
        for x in step.inputs:
            if x is source:
                return True
        for value in step.params.values():
            items = value if isinstance(value, tuple) else (value,)
            if any(item is source for item in items):
                return True
    return False


def _trace(module: Module, traced_input: Any, example: np.ndarray) -> Any:
    """Run the module once, recording derived arrays' rules, without moving its buffers."""
    state = {k: np.array(v, copy=True) for k, v in module.state_dict().items()}
    try:
        with enable_grad(), recording_recipes():
            return module(traced_input)
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(f"export_onnx: the module cannot run on the example of shape {example.shape} "
                         f"and dtype {example.dtype}: {error}") from error
    finally:
        module.load_state_dict(state)  # tracing must not move BatchNorm's running statistics


def _order(outputs: list[Any]) -> list[Any]:
    order: list[Any] = []
    seen: set[int] = set()
    for out in outputs:
        for step in steps(out):
            if id(step.output) not in seen:
                seen.add(id(step.output))
                order.append(step)
    return order


def _check_nothing_frozen(first: list[Any], second: list[Any], example: Any, other: Any) -> None:
    """The same graph, with the same constants, on a second input: otherwise the export would freeze
    numbers computed from the example's data outside the graph (a dropout mask, a condition on raw data)."""
    if [s.op for s in first] != [s.op for s in second]:
        raise NotImplementedError("ONNX export: the recorded graph changes with the input's values (control flow "
                                  "on the data); only a graph that does not can be exported")
    for a, b in zip(first, second, strict=True):
        pairs = list(zip(a.inputs, b.inputs, strict=True)) + [(a.params[k], b.params.get(k)) for k in a.params]
        for x, y in pairs:
            xs, ys = (x, y) if isinstance(x, tuple) and isinstance(y, tuple) else ((x,), (y,))
            for u, v in zip(xs, ys, strict=False):
                if isinstance(u, (Value, Derived)) or (u is example and v is other):
                    continue
                if isinstance(u, np.ndarray) and not (np.shape(u) == np.shape(v) and np.array_equal(u, v,
                                                                                                    equal_nan=True)):
                    raise NotImplementedError(
                        f"ONNX export: primitive {a.op!r} uses an array computed from the input's data outside the "
                        "graph (it would be frozen to the example's numbers); put the module in eval() mode "
                        "(dropout), or compute it with autograd.program.derived")
