#!/bin/sh
# Make the benchmark peers' venvs from the package registry, pinned (never a project or CI dependency).
# Pins: the newest releases that install on Python 3.11 (jax 0.11 and later need Python 3.12).
#   sh benchmarks/make_peer_venvs.sh [jax] [mygrad] [tinygrad]     (default: all three)
# benchmarks/run.py finds them at /work/benchvenv-NAME (or $BENCH_<NAME>_PYTHON) and skips absent ones.
set -e
PY=${PYTHON:-python3}
ROOT=${BENCH_VENV_ROOT:-/work}
for peer in ${@:-mygrad jax tinygrad}; do
    case $peer in
        jax) pkgs="jax==0.10.2 jaxlib==0.10.2 numpy" ;;
        mygrad) pkgs="mygrad==2.5.0 numpy" ;;
        tinygrad) pkgs="tinygrad==0.14.0 numpy" ;;
        *) echo "unknown peer: $peer (jax, mygrad, tinygrad)" >&2; exit 2 ;;
    esac
    "$PY" -m venv "$ROOT/benchvenv-$peer"
    "$ROOT/benchvenv-$peer/bin/pip" install -q $pkgs
    echo "made $ROOT/benchvenv-$peer: $pkgs"
done
