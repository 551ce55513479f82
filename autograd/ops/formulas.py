"""The derivative of every primitive as text a learner reads, one formula per input.

``FORMULAS[name][i]`` states d out / d input_i for the primitive ``name`` in
the notation of its forward rule (``x``, ``y`` for the inputs, ``out`` for the
result). The study tools (:func:`autograd.viz.explore`, the trace's HTML table)
show it beside the number the engine's VJP computed. The formulas mirror the
VJPs registered in this package; ``tests/test_viz_formulas.py`` checks that every
registered primitive has one per input. A variadic primitive (concatenate)
has one formula for all of its inputs.
"""

from __future__ import annotations

FORMULAS: dict[str, tuple[str, ...]] = {
    # elementwise binary
    "add": ("d(x + y)/dx = 1", "d(x + y)/dy = 1"),
    "subtract": ("d(x - y)/dx = 1", "d(x - y)/dy = -1"),
    "multiply": ("d(x * y)/dx = y", "d(x * y)/dy = x"),
    "divide": ("d(x / y)/dx = 1 / y", "d(x / y)/dy = -x / y^2"),
    "power": ("d(x^y)/dx = y * x^(y - 1)", "d(x^y)/dy = x^y * log(x)"),
    "maximum": ("d max(x, y)/dx = 1 where x > y (1/2 on ties)", "d max(x, y)/dy = 1 where y > x (1/2 on ties)"),
    "minimum": ("d min(x, y)/dx = 1 where x < y (1/2 on ties)", "d min(x, y)/dy = 1 where y < x (1/2 on ties)"),
    "where": ("d where(c, x, y)/dx = 1 where c", "d where(c, x, y)/dy = 1 where not c"),
    # elementwise unary
    "negative": ("d(-x)/dx = -1",),
    "exp": ("d exp(x)/dx = exp(x)",),
    "log": ("d log(x)/dx = 1 / x",),
    "sqrt": ("d sqrt(x)/dx = 1 / (2 sqrt(x))",),
    "absolute": ("d |x|/dx = sign(x) (0 at 0)",),
    "tanh": ("d tanh(x)/dx = 1 - tanh(x)^2",),
    "sin": ("d sin(x)/dx = cos(x)",),
    "cos": ("d cos(x)/dx = -sin(x)",),
    "erf": ("d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)",),
    "erfc": ("d erfc(x)/dx = -2/sqrt(pi) * exp(-x^2)",),
    "log1p": ("d log(1 + x)/dx = 1 / (1 + x)",),
    "expm1": ("d (exp(x) - 1)/dx = exp(x) = out + 1",),
    "relu": ("d max(x, 0)/dx = 1 where x > 0 (or NaN), 0 elsewhere (0 at the kink)",),
    "astype": ("d astype(x)/dx = 1 (g converted back to x's dtype)",),
    # matrix products
    "matmul": ("d(x @ y)/dx: g @ y^T", "d(x @ y)/dy: x^T @ g"),
    "linear": ("d(x @ W^T + b)/dx: g @ W", "d(x @ W^T + b)/dW: g^T @ x", "d(x @ W^T + b)/db: g summed over the batch"),
    "vdot": ("d sum(x * y)/dx_i = y_i", "d sum(x * y)/dy_i = x_i"),
    "sum_of_squares": ("d sum_k sum(x_k^2)/dx_k = 2 x_k",),
    "einsum": ("d einsum(x_1, ..., x_n)/dx_k: g contracted with the other operands onto x_k's subscripts",),
    # reductions and broadcasting
    "sum": ("d sum(x)/dx_i = 1 (g copied back over the summed axes)",),
    "max": ("d max(x)/dx_i = 1 at the maximum (shared among ties), 0 elsewhere",),
    "min": ("d min(x)/dx_i = 1 at the minimum (shared among ties), 0 elsewhere",),
    "logsumexp": ("d logsumexp(x)/dx_i = softmax(x)_i = exp(x_i - out)",),
    "broadcast_to": ("d broadcast_to(x)/dx: g summed over the copies (unbroadcast)",),
    # shapes and indexing
    "reshape": ("d reshape(x)/dx: g reshaped back to x's shape",),
    "transpose": ("d transpose(x)/dx: g with the axes permuted back",),
    "getitem": ("d x[i]/dx: g placed back at the picked positions (repeats add up)",),
    "scatter_add": ("d scatter_add(x)/dx: g picked at the same positions",),
    "concatenate": ("d concatenate(x_1, ..., x_n)/dx_k: the slice of g that x_k filled",),
    "pad": ("d pad(x)/dx: the inner part of g (the padding is constant)",),
    "sliding_window_view": ("d windows(x)/dx: every window of g added back where it was taken",),
    "add_windows": ("d add_windows(x)/dx: the windows of g (add_windows is linear)",),
}


def formula(name: str, position: int) -> str:
    """The derivative of primitive ``name`` with respect to input ``position`` ('' when none is written down)."""
    texts = FORMULAS.get(name, ())
    if not texts:
        return ""
    return texts[min(position, len(texts) - 1)]  # a variadic primitive: one formula for every input
