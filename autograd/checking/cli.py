"""Command line: check the gradient of your function on generated inputs.

    python -m autograd.gradcheck path/to/file.py:function [--shape 3,4] [--examples N]
                                 [--second-order] [--range LO,HI] [--avoid 0] [--seed S] [--fast]
    python -m autograd.gradcheck package.module:function ...
    python -m autograd.gradcheck FILE:FUNC --accuracy [--dtype float32] [--range LO,HI] [--order 2] [--max-bits N]

The function takes Values and returns a Value (any shape): a new activation, a loss, a
custom ``Function`` (its ``apply`` is checked). Inputs are float64 arrays drawn by hypothesis in
[LO, HI]; each example is compared against central finite differences (the full
Jacobian; ``--fast`` compares random projections). A failing example is shrunk to a small one.

With ``--accuracy`` it prints :func:`autograd.accuracy`'s report instead (bits of error of the
value and the derivatives against exact evaluation, needs mpmath) and exits 0 when every maximum
is within ``--max-bits``, 1 otherwise.

Exit status: 0 every example passed, 1 a gradient mismatch, 2 usage error, import error,
missing name, or the function raised.

This module is the command line only (``autograd/gradcheck.py`` runs it for ``python -m``);
in Python use ``autograd.gradcheck`` (the function). It needs hypothesis, which is imported
when the command runs, so that a missing optional dependency is a clear usage error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.checking import diagnose
from autograd.checking.accuracy import QUICK_SAMPLES
from autograd.checking.accuracy import accuracy as accuracy_report
from autograd.function import Function
from autograd.value import Value

EXIT_PASS, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
_NEGATIVE = re.compile(r"-(\d|\.\d|inf)")


class UsageError(Exception):
    """A problem with the command line or the target; printed as one message, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits with 2 too; keep its usage line
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m autograd.gradcheck",
                description="Check a function's gradient against finite differences on generated inputs.")
    p.add_argument("target", help="FILE.py:function or package.module:function")
    p.add_argument("--shape", action="append", metavar="3,4",
                   help="input shape (repeat once per input; one shape applies to all; '' or () for a scalar)")
    p.add_argument("--examples", type=int, default=100, metavar="N", help="examples to try (default 100)")
    p.add_argument("--second-order", action="store_true", help="also check second derivatives")
    p.add_argument("--range", default=None, metavar="LO,HI",
                   help="input values range (default -3,3; -1000,1000 with --accuracy)")
    p.add_argument("--avoid", default="", metavar="X,Y", help="points to keep away from (kinks), e.g. 0")
    p.add_argument("--n-inputs", type=int, default=None, help="number of array inputs (default: from signature)")
    p.add_argument("--seed", type=int, default=0, help="seed of the example generator (default 0)")
    p.add_argument("--fast", action="store_true", help="compare random projections instead of the full Jacobian")
    p.add_argument("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    p.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance (default 1e-5)")
    p.add_argument("--rtol", type=float, default=1e-3, help="relative tolerance (default 1e-3)")
    p.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                   help="stop with an error when the whole check takes longer (default 600)")
    a = p.add_argument_group("accuracy (needs mpmath)")
    a.add_argument("--accuracy", action="store_true",
                   help="report the bits of error of f and its derivatives against exact evaluation instead")
    a.add_argument("--dtype", default="float64", choices=("float64", "float32"), help="arithmetic (default float64)")
    a.add_argument("--order", type=int, default=1, help="derivatives to measure: 0, 1 or 2 (default 1)")
    a.add_argument("--max-bits", type=float, default=8.0, help="exit 1 when a maximum exceeds this (default 8)")
    a.add_argument("--samples", type=int, default=None, help="inputs to sample (default 3000)")
    a.add_argument("--quick", action="store_true", help=f"sample {QUICK_SAMPLES} inputs (a CI-sized run)")
    return p


def _warn_unreliable_steps(bounds: list[float], eps: float) -> None:
    """Warn when |x| reaches values where x + eps rounds to x (finite differences are then noise)."""
    largest = max(abs(bounds[0]), abs(bounds[1]))
    spacing = float(np.spacing(largest))
    if spacing * 4 > eps:
        print(f"warning: --range reaches |x| = {largest:g}, where float64 numbers are {spacing:.3g} apart: a "
              f"finite-difference step of {eps:g} is lost in rounding there, so mismatches are not to be "
              "trusted; narrow --range or raise --eps", file=sys.stderr)


def _check_output_type(f: Callable[..., Any], target: str, n_inputs: int, shapes: list[tuple[int, ...]] | None,
                       bounds: list[float]) -> None:
    """Call f once on a sample input: it must return a Value (or an array or number), not a list or None."""
    per_input = shapes * n_inputs if shapes is not None and len(shapes) == 1 else (shapes or [()] * n_inputs)
    middle = (bounds[0] + bounds[1]) / 2
    inputs = [Value(np.full(shape, middle)) for shape in per_input]
    try:
        with np.errstate(all="ignore"):
            out = f(*inputs)
    except Exception:  # noqa: BLE001 - the checks below report f's errors with the failing inputs
        return
    if not isinstance(out, (Value, np.ndarray, float, int, np.floating)) or isinstance(out, bool):
        raise UsageError(f"{target} returned {type(out).__name__}; it must return a Value (one array or number "
                         "computed from its inputs)")


def _stop_after(seconds: float, target: str) -> None:
    """A total time limit: a target that never returns ends the command with exit status 2."""
    if not hasattr(signal, "setitimer"):
        return

    def expired(signum: int, frame: Any) -> None:
        print(f"error: {target} did not finish within {seconds:g} s (--timeout); it may never return",
              file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(EXIT_USAGE)

    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def parse_shape(text: str) -> tuple[int, ...]:
    """'3,4' -> (3, 4); '3' -> (3,); '' or '()' -> ()."""
    body = text.strip().strip("()[] ")
    if not body:
        return ()
    try:  # '3,4' or '3x4'; every part must be a whole number ('3,x' is an error, not (3,))
        shape = tuple(int(part) for part in body.replace("x", ",").split(","))
    except ValueError:
        raise UsageError(f"--shape {text!r}: expected integers separated by commas, e.g. 3,4") from None
    if any(n < 1 for n in shape):
        raise UsageError(f"--shape {text!r}: every dimension must be at least 1")
    return shape


def parse_floats(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected numbers separated by commas") from None


def load_target(target: str) -> Callable[..., Any]:
    """Import ``FILE.py:name`` or ``package.module:name`` and return the callable."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise UsageError(f"target {target!r} must look like FILE.py:function or package.module:function")
    if path.endswith(".py") or os.sep in path or "/" in path:
        module = _load_file(path)
    else:
        try:
            module = importlib.import_module(path)
        except ImportError as error:
            raise UsageError(f"cannot import module {path!r}: {error}") from None
        except SystemExit as error:
            raise UsageError(f"importing {path!r} called sys.exit({error.code!r})") from None
        except Exception as error:
            raise UsageError(f"importing {path!r} raised {type(error).__name__}: {error}") from None
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            available = sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))
            hint = f" (callables there: {', '.join(available[:12])})" if available else ""
            raise UsageError(f"{path} has no name {name!r}{hint}")
        obj = getattr(obj, part)
    if isinstance(obj, type) and issubclass(obj, Function):
        return obj.apply  # a custom op class: check its apply
    if not callable(obj):
        raise UsageError(f"{target} is a {type(obj).__name__}, not a function")
    return obj  # type: ignore[no-any-return]


def _load_file(path: str) -> Any:
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)  # so the file can import its neighbours
    module_name = "_gradcheck_target_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise UsageError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    except SystemExit as error:
        raise UsageError(f"running {path} called sys.exit({error.code!r}) (guard the script's own code "
                         "with `if __name__ == \"__main__\":`)") from None
    except Exception as error:
        raise UsageError(f"running {path} raised {type(error).__name__}: {error}") from None
    return module


def _fmt_shapes(seen: set[tuple[tuple[int, ...], ...]]) -> str:
    ordered = sorted(seen, key=lambda ss: (sum(int(np.prod(s)) for s in ss), ss))
    text = ", ".join(" & ".join(str(s) for s in ss) for ss in ordered[:6])
    return text + (f", ... ({len(ordered)} distinct)" if len(ordered) > 6 else "")


def _fmt_inputs(inputs: Sequence[np.ndarray]) -> list[str]:
    lines = []
    for k, a in enumerate(inputs):
        body = np.array2string(np.asarray(a), precision=6, threshold=20, separator=", ")
        lines.append(f"    input {k} {a.shape}: " + body.replace("\n", "\n" + " " * 6))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        return _main(argv)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)  # the time limit ends with the command


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """``--range -3,3`` -> ``--range=-3,3`` (argparse would take -3,3 for an option)."""
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        item = items[i]
        if item in ("--range", "--avoid", "--shape") and i + 1 < len(items) and _NEGATIVE.match(items[i + 1]):
            out.append(f"{item}={items[i + 1]}")
            i += 2
            continue
        out.append(item)
        i += 1
    return out


def _accuracy(args: argparse.Namespace, bounds: list[float]) -> int:
    """``--accuracy``: print the accuracy report; exit 0 when every maximum is within --max-bits."""
    if args.order not in (0, 1, 2):
        raise UsageError(f"--order {args.order}: the report measures the value and up to 2 derivatives (0, 1 or 2)")
    samples = QUICK_SAMPLES if args.quick else args.samples
    if samples is not None and samples < 1:
        raise UsageError("--samples must be at least 1")
    f = load_target(args.target)
    try:
        report = accuracy_report(f, args.dtype, bounds[0], bounds[1], samples, args.order, args.seed)
    except (ImportError, ValueError) as error:
        raise UsageError(str(error).removeprefix("accuracy: ")) from None
    except Exception as error:
        raise UsageError(f"{args.target} raised {type(error).__name__}: {error}") from None
    print(report)
    within = report.ok(args.max_bits)
    print(("PASS" if within else "FAIL") + f": every maximum within {args.max_bits:g} bits" + ("" if within else
          " is not true (see above: the ops named lose the bits; the README shows stable formulations)"))
    return EXIT_PASS if within else EXIT_MISMATCH


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    shapes = None if not args.shape else [parse_shape(s) for s in args.shape]
    if shapes is not None and len(shapes) == 1:
        shapes_arg: Any = shapes[0]
    else:
        shapes_arg = shapes
    text = args.range if args.range is not None else ("-1000,1000" if args.accuracy else "-3,3")
    bounds = parse_floats(text, "--range")
    if len(bounds) == 2 and not all(np.isfinite(bounds)):
        raise UsageError(f"--range {text!r}: both ends must be finite numbers")
    if len(bounds) != 2 or not bounds[0] < bounds[1]:
        raise UsageError(f"--range {text!r}: expected LO,HI with LO < HI, e.g. -3,3")
    if args.accuracy:
        return _accuracy(args, bounds)
    if args.examples < 1:
        raise UsageError("--examples must be at least 1")
    if args.n_inputs is not None and args.n_inputs < 1:
        raise UsageError(f"--n-inputs {args.n_inputs}: a function to check takes at least 1 input")
    if not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g}: must be a positive number of seconds")
    _warn_unreliable_steps(bounds, args.eps)
    _stop_after(args.timeout, args.target)
    avoid = parse_floats(args.avoid, "--avoid")
    try:
        from autograd.checking.strategies import count_inputs, run_gradient_checks
    except ImportError as error:
        raise UsageError("the gradient check needs hypothesis: pip install hypothesis (or the project's test extra, "
                         f"pip install -e \".[test]\"); --accuracy needs mpmath instead ({error})") from None
    f = load_target(args.target)
    try:
        n_inputs = count_inputs(f) if args.n_inputs is None else args.n_inputs
        if shapes is not None and len(shapes) not in (1, n_inputs):
            raise ValueError(f"got {len(shapes)} --shape options for a function of {n_inputs} input(s)")
    except ValueError as error:
        raise UsageError(str(error)) from None
    _check_output_type(f, args.target, n_inputs, shapes, bounds)
    order = "first and second derivatives" if args.second_order else "first derivatives"
    print(f"gradcheck {args.target}: {order}, {n_inputs} input(s), values in [{bounds[0]:g}, {bounds[1]:g}]"
          + (f" avoiding {', '.join(f'{a:g}' for a in avoid)}" if avoid else ""))
    counter = diagnose.WarningCounter()
    with counter:  # NumPy's warnings are counted, not printed
        summary = run_gradient_checks(
            f, shapes_arg, n_inputs=n_inputs, examples=args.examples, second_order=args.second_order,
            min_value=bounds[0], max_value=bounds[1], avoid=avoid, seed=args.seed,
            eps=args.eps, atol=args.atol, rtol=args.rtol, fast=args.fast,
        )
    print(f"  examples tried: {summary.examples}")
    print(f"  input shapes:   {_fmt_shapes(summary.shapes)}")
    if summary.failure is not None:
        report, inputs = summary.failure
        with counter:
            heading, explained = _explain(f, report, inputs, bounds)
        print(f"FAIL: {heading} (smallest failing example found):")
        print("  " + report.message().replace("\n", "\n  "))
        for line in explained:
            print("  " + line)
        print("  inputs:")
        print("\n".join(_fmt_inputs(inputs)))
        _print_warnings(counter)
        return EXIT_MISMATCH
    if summary.error is not None:
        raised = summary.error
        print(f"error: {args.target} raised {type(raised).__name__}: {raised}", file=sys.stderr)
        if summary.error_inputs is not None:
            print("  on inputs of shape " + " & ".join(str(a.shape) for a in summary.error_inputs)
                  + " (use --shape to choose the shapes)", file=sys.stderr)
        return EXIT_USAGE
    if summary.worst is not None and summary.worst[0].worst is not None:
        report = summary.worst[0]
        entry = report.worst
        assert entry is not None  # one entry, the nearest to its tolerance: both errors and the line below
        print(f"  worst abs error: {entry.abs_error:.3g}")
        print(f"  worst rel error: {entry.rel_error:.3g}   (one entry: the nearest to its tolerance)")
        print(f"    at {entry.where()}: analytic {entry.analytic:.10g}, numeric {entry.numeric:.10g}"
              + (" (second derivative)" if report.order == 2 else ""))
    print(f"  kinks met:      {summary.kinks}" + (" (not differentiable there; skipped)" if summary.kinks else ""))
    if n_inputs == 1:
        with counter:
            for line in diagnose.accuracy_hint(f, bounds[0], bounds[1]):
                print(line)
    _print_warnings(counter)
    print("PASS")
    return EXIT_PASS


def _explain(f: Callable[..., Any], report: Any, inputs: Any, bounds: list[float]) -> tuple[str, list[str]]:
    """The failure's heading and what it is if it is not a wrong derivative (NaN/inf, unreliable numeric, kink)."""
    entry = report.worst
    if entry is not None and not (np.isfinite(entry.analytic) and np.isfinite(entry.numeric)):
        lines = diagnose.nonfinite(f, inputs, entry, bounds[0], bounds[1])
        if lines:
            return "the function is not finite here", lines
    kink = diagnose.first_derivative_kink(f, inputs, report)
    if kink:
        return "not twice differentiable here (a kink)", kink
    unreliable = diagnose.unreliable_numeric(f, inputs, report)
    if unreliable:
        return "finite differences unreliable here (the derivative is not shown wrong)", unreliable
    return "gradient mismatch", []


def _print_warnings(counter: Any) -> None:
    if counter.count:
        print(f"  NumPy warnings while checking (counted, not printed): {counter.count}")
