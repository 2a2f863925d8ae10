"""JAX's gradients of the `gradients` bench's functions, timed on this machine, for the
comparison in BENCHMARKS.md (reverse mode: `jit(grad(f))`; forward mode: `jit(jacfwd(f))`).

The functions and points are those of `benches/shared/mod.rs`: Rosenbrock
`sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2` at a point in [-2, 2]^n, and the
softmax-cross-entropy of one row of n logits in [-5, 5] against label n // 3, in float64.
Each call's result is waited for (`block_until_ready`); the time is the median and the
fastest of `repeat` batches of `number` calls, after a warm-up that compiles.

Run: `pip install jax` (CPU), then
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benches/peers/jax_grad_timing.py`.
"""

import math
import statistics
import timeit

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

PHI = 0.6180339887498949


def point(n, scale):
    """The benches' fixed point: fractional parts of multiples of the golden ratio."""
    return jnp.array(
        [scale * (2.0 * math.modf((i + 1.0) * PHI + 0.137)[0] - 1.0) for i in range(n)],
        dtype=jnp.float64,
    )


def rosenbrock(x):
    a = x[1:] - x[:-1] * x[:-1]
    b = 1.0 - x[:-1]
    return jnp.sum(a * a * 100.0 + b * b)


def softmax_cross_entropy(z):
    label = z.shape[0] // 3
    return jax.nn.logsumexp(z) - z[label]


def timed(f, x, number=200, repeat=15):
    f(x).block_until_ready()
    times = timeit.repeat(lambda: f(x).block_until_ready(), number=number, repeat=repeat)
    per_call = [t / number for t in times]
    return statistics.median(per_call), min(per_call)


def fmt(seconds):
    us = seconds * 1e6
    return f"{us:.2f} µs" if us < 1000 else f"{us / 1000:.3f} ms"


def main():
    print(f"jax {jax.__version__}, backend {jax.default_backend()}, float64")
    print("| id | median | fastest |")
    print("|---|---:|---:|")
    for name, f, scale in [
        ("rosenbrock", rosenbrock, 2.0),
        ("softmax_cross_entropy", softmax_cross_entropy, 5.0),
    ]:
        for mode, make in [("jax_grad", jax.grad), ("jax_jacfwd", jax.jacfwd)]:
            g = jax.jit(make(f))
            for n in (10, 100, 1000):
                med, best = timed(g, point(n, scale))
                print(f"| `gradient/{name}/{mode}/{n}` | {fmt(med)} | {fmt(best)} |")


if __name__ == "__main__":
    main()
