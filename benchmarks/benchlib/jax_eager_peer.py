"""JAX without ``jit`` (op-by-op dispatch): the same code as jax_peer, the second JAX row; W2 runs here only."""

from __future__ import annotations

from benchlib import jax_peer
from benchlib.jax_peer import COMPILE_SECONDS, version, w1_tensor_job, w3_job, w4_job, w5_job, w6_job

w2_chain = jax_peer.eager_w2_chain

jax_peer.JIT = False

__all__ = ["COMPILE_SECONDS", "version", "w1_tensor_job", "w2_chain", "w3_job", "w4_job", "w5_job", "w6_job"]
