"""JAX peer of `nabla train`: the book's chapter-4 TwoLayerNet (784-50-10, sigmoid, softmax +
cross-entropy with delta 1e-7), trained with the protocol of `../shared/peers/numpy_twolayer.py`
(the NumPy peer): 10000 iterations, batches of 100 drawn with replacement, learning rate 0.1,
accuracy on the whole training and test sets every 600 iterations, float32.

JAX is given its best shot: the images live on the device once, and the step (gather the batch,
forward, backward by `jax.grad`, SGD update) is one `jit`-compiled function. Two drivers:
- `step`: one jitted call per iteration, the batch indices drawn on the host with NumPy (the
  same way the NumPy peer draws them), as a user would write the book's loop in JAX;
- `scan`: the 600 iterations between two evaluations in one `jax.lax.scan`, indices drawn up
  front, so that Python is out of the loop altogether.
The evaluation is jitted too. Compilation happens in a warm-up before the clock starts; the
printed `train_s` is the loop alone (the same span as `nabla train`'s loop time).

Run (CPU; `pip install jax`):
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benches/peers/jax_twolayer.py ../shared/mnist [step|scan|both]`
"""

import gzip
import os
import sys
import time

import numpy as np

import jax
import jax.numpy as jnp

ITERS, BATCH, LR, EVERY = 10000, 100, 0.1, 600


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load(d):
    def images(name):
        return idx(os.path.join(d, name), 16).reshape(-1, 784).astype(np.float32) / 255.0

    def labels(name):
        return idx(os.path.join(d, name), 8).astype(np.int32)

    return (
        images("train-images-idx3-ubyte.gz"),
        labels("train-labels-idx1-ubyte.gz"),
        images("t10k-images-idx3-ubyte.gz"),
        labels("t10k-labels-idx1-ubyte.gz"),
    )


def init(rng):
    return {
        "W1": jnp.asarray(0.01 * rng.standard_normal((784, 50)), jnp.float32),
        "b1": jnp.zeros(50, jnp.float32),
        "W2": jnp.asarray(0.01 * rng.standard_normal((50, 10)), jnp.float32),
        "b2": jnp.zeros(10, jnp.float32),
    }


def predict(p, x):
    z1 = jax.nn.sigmoid(x @ p["W1"] + p["b1"])
    return jax.nn.softmax(z1 @ p["W2"] + p["b2"], axis=-1)


def loss(p, x, t):
    y = predict(p, x)
    return -jnp.mean(jnp.log(y[jnp.arange(y.shape[0]), t] + 1e-7))


def sgd(p, xtr, ttr, m):
    g = jax.grad(loss)(p, xtr[m], ttr[m])
    return jax.tree_util.tree_map(lambda w, d: w - LR * d, p, g)


step = jax.jit(sgd)


@jax.jit
def many_steps(p, xtr, ttr, ms):
    def body(p, m):
        return sgd(p, xtr, ttr, m), None

    p, _ = jax.lax.scan(body, p, ms)
    return p


@jax.jit
def accuracy(p, x, t):
    return jnp.mean(jnp.argmax(predict(p, x), axis=1) == t)


def run(mode, data):
    xtr, ttr, xte, tte = data
    rng = np.random.default_rng(0)
    p = init(rng)
    # Warm-up: compile every function on arrays of the real shapes, outside the clock.
    warm = np.zeros(BATCH, np.int32)
    step(p, xtr, ttr, warm)["W1"].block_until_ready()
    for n in {1, EVERY - 1, (ITERS - 1) % EVERY}:
        many_steps(p, xtr, ttr, np.zeros((n, BATCH), np.int32))["W1"].block_until_ready()
    accuracy(p, xtr, ttr).block_until_ready()
    accuracy(p, xte, tte).block_until_ready()

    t0 = time.perf_counter()
    if mode == "step":
        for i in range(ITERS):
            m = rng.choice(60000, BATCH).astype(np.int32)
            p = step(p, xtr, ttr, m)
            if i % EVERY == 0:
                float(accuracy(p, xtr, ttr)), float(accuracy(p, xte, tte))
    else:
        done = 0
        while done < ITERS:
            # The NumPy peer evaluates after iteration 0, 600, ...: one step, then an evaluation,
            # then the rest of the block.
            m = rng.choice(60000, (1, BATCH)).astype(np.int32)
            p = many_steps(p, xtr, ttr, m)
            float(accuracy(p, xtr, ttr)), float(accuracy(p, xte, tte))
            rest = min(EVERY, ITERS - done) - 1
            ms = rng.choice(60000, (rest, BATCH)).astype(np.int32)
            p = many_steps(p, xtr, ttr, ms)
            done += rest + 1
    p["W1"].block_until_ready()
    t1 = time.perf_counter()
    tra = float(accuracy(p, xtr, ttr))
    tea = float(accuracy(p, xte, tte))
    print(f"jax-{mode} train_s {t1 - t0:.2f} train_acc {tra:.4f} test_acc {tea:.4f}")


def main():
    d = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "both"
    xtr, ttr, xte, tte = load(d)
    data = (jnp.asarray(xtr), jnp.asarray(ttr), jnp.asarray(xte), jnp.asarray(tte))
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}")
    for m in ("step", "scan") if mode == "both" else (mode,):
        run(m, data)


if __name__ == "__main__":
    main()
