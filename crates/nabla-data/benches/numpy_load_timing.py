"""NumPy peer for `cargo run --release -p nabla-data --example load_mnist_timing`: times the
peer network's loader (gzip.open + frombuffer + astype(float32) / 255, one-hot via np.eye).
usage: python3 numpy_load_timing.py MNIST_DIR PEERS_DIR (the folder of numpy_twolayer.py)"""
import sys, time

sys.path.insert(0, sys.argv[2] if len(sys.argv) > 2 else "../shared/peers")
import numpy_twolayer as p

ts = []
for _ in range(7):
    t0 = time.perf_counter()
    p.load(sys.argv[1])
    ts.append(time.perf_counter() - t0)
ts.sort()
print(f"numpy_twolayer.load best {ts[0] * 1e3:.1f} ms median {ts[3] * 1e3:.1f} ms")
