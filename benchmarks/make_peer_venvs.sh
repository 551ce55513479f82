#!/bin/sh
# Make the benchmark peers' venvs from the package registry, pinned (never a project or CI dependency).
# Pins: the newest releases that install on Python 3.11 (jax 0.11 and later need Python 3.12).
#   sh benchmarks/make_peer_venvs.sh [hips] [jax] [mygrad] [tinygrad]     (default: all four)
# tinygrad's CPU device compiles its kernels with clang: install it too (Debian/Ubuntu: apt-get install clang),
# else tinygrad finds "no usable devices". PyTorch's venv is made by hand (see README.md: torch==2.13.0).
# benchmarks/run.py finds them at /work/benchvenv-NAME (or $BENCH_<NAME>_PYTHON) and skips absent ones.
set -e
PY=${PYTHON:-python3}
ROOT=${BENCH_VENV_ROOT:-/work}
for peer in ${@:-hips mygrad jax tinygrad}; do
    case $peer in
        hips) pkgs="autograd==1.9.1 numpy" ;;
        jax) pkgs="jax==0.10.2 jaxlib==0.10.2 numpy" ;;
        mygrad) pkgs="mygrad==2.5.0 numpy" ;;
        tinygrad) pkgs="tinygrad==0.14.0 numpy" ;;
        *) echo "unknown peer: $peer (hips, jax, mygrad, tinygrad)" >&2; exit 2 ;;
    esac
    if [ "$peer" = tinygrad ] && ! command -v clang >/dev/null; then
        echo "note: tinygrad needs clang for its CPU device (apt-get install clang)" >&2
    fi
    "$PY" -m venv "$ROOT/benchvenv-$peer"
    "$ROOT/benchvenv-$peer/bin/pip" install -q $pkgs
    echo "made $ROOT/benchvenv-$peer: $pkgs"
done
