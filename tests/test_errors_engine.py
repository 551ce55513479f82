"""Bad input to the engine gets a clear error: the exception type and what its message names."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Value


@pytest.mark.parametrize(
    ("data", "dtype_name"),
    [
        (np.array([1 + 2j, 3j]), "complex128"),
        (1j, "complex128"),
        (np.array(["a", "b"]), "<U1"),
        ("abc", "<U3"),
        (np.array([object(), object()], dtype=object), "object"),
        ([1.0, None], "object"),
        (np.array([True, False]), "bool"),
        (True, "bool"),
        (np.bool_(False), "bool"),
    ],
    ids=["complex array", "complex number", "string array", "string", "object array", "list with None",
         "bool array", "bool", "numpy bool"],
)
def test_non_float_data_is_a_type_error_naming_the_dtype(data: Any, dtype_name: str) -> None:
    with pytest.raises(TypeError, match=re.escape(dtype_name)):
        Value(data)


def test_unsupported_target_dtype_is_named() -> None:
    with pytest.raises(TypeError, match="int32"):
        Value([1.0, 2.0], dtype=np.int32)


def test_complex_constant_operand_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="complex"):
        Value(np.ones(2)) + np.array([1j, 2j])


BINARY: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("add", operator.add),
    ("subtract", operator.sub),
    ("multiply", operator.mul),
    ("divide", operator.truediv),
    ("power", operator.pow),
    ("maximum", autograd.maximum),
    ("minimum", autograd.minimum),
]


def _names_op_and_shapes(message: str, op: str, *shapes: tuple[int, ...]) -> None:
    assert op in message, message
    for shape in shapes:
        assert str(shape) in message, message


@pytest.mark.parametrize(("op", "fn"), BINARY, ids=[name for name, _ in BINARY])
def test_binary_shape_mismatch_names_the_op_and_both_shapes(op: str, fn: Callable[[Any, Any], Any]) -> None:
    x, y = Value(np.ones((2, 3))), Value(np.ones((4,)))
    with pytest.raises(ValueError) as info:
        fn(x, y)
    _names_op_and_shapes(str(info.value), op, (2, 3), (4,))
    with pytest.raises(ValueError) as info:  # a raw ndarray operand, on either side
        fn(np.ones((4,)), x)
    _names_op_and_shapes(str(info.value), op, (4,), (2, 3))


def test_where_shape_mismatch_names_the_shapes() -> None:
    with pytest.raises(ValueError) as info:
        autograd.where(np.ones(3, dtype=bool), Value(np.ones(3)), Value(np.ones(2)))
    _names_op_and_shapes(str(info.value), "where", (3,), (2,))


@pytest.mark.parametrize(
    ("x_shape", "y_shape"),
    [((2, 3), (2, 3)), ((3,), (4,)), ((2, 3), (4,)), ((5,), (2, 3)), ((2, 2, 3), (2, 4, 1))],
)
def test_matmul_shape_mismatch_names_the_op_and_both_shapes(x_shape: tuple[int, ...],
                                                            y_shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError) as info:
        Value(np.ones(x_shape)) @ Value(np.ones(y_shape))
    _names_op_and_shapes(str(info.value), "matmul", x_shape, y_shape)


def test_matmul_of_a_scalar_is_refused() -> None:
    with pytest.raises(ValueError, match="matmul"):
        Value(2.0) @ Value(np.ones(2))


def test_backward_on_a_non_scalar_without_grad_says_what_to_pass() -> None:
    y = Value(np.ones((2, 3))) * 2.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    message = str(info.value)
    assert "grad" in message and "(2, 3)" in message, message


def test_backward_with_a_grad_of_the_wrong_shape_names_both_shapes() -> None:
    y = Value(np.ones((2, 3))) * 2.0
    with pytest.raises(ValueError) as info:
        y.backward(np.ones((3, 2)))
    _names_op_and_shapes(str(info.value), "backward", (3, 2), (2, 3))


def test_backward_through_a_freed_graph_names_retain_graph() -> None:
    y = (Value(np.ones(2)) * 2.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=re.escape("retain_graph=True")):
        y.backward()


def test_backward_on_a_value_that_does_not_require_grad() -> None:
    with pytest.raises(RuntimeError, match="requires_grad"):
        Value(1.0, requires_grad=False).backward()


def test_shape_op_errors_name_what_was_wrong() -> None:
    x = Value(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="axis 2"):
        x.sum(axis=2)
    with pytest.raises(ValueError, match=r"stack.*\(2, 3\).*\(3,\)|stack.*\(3,\).*\(2, 3\)"):
        autograd.stack([x, Value(np.ones(3))])
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        x.broadcast_to((4, 3))
