#!/usr/bin/env bash
# Installs the benchmark's peer engines into bench/peers/node_modules (never the library's
# dependencies). Each step may fail on its own; bench/run.ts reports a missing peer as missing.
set -u
cd "$(dirname "$0")"
[ -f package.json ] || echo '{ "name": "aetnet-bench-peers", "private": true, "type": "module" }' > package.json
# TensorFlow.js: tfjs brings the gradients (tfjs-core alone registers none in Node); wasm backend = XNNPACK.
npm install --no-audit --no-fund @tensorflow/tfjs @tensorflow/tfjs-backend-wasm || echo "tfjs: install failed"
# ONNX Runtime: the CPU binaries ship inside the package; skip the postinstall download. No install scripts:
# on a rerun npm would otherwise rebuild js-pytorch's gl (below), which fails without X headers.
ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --ignore-scripts onnxruntime-node || echo "onnxruntime-node: install failed"
# js-pytorch pulls in gl, which does not build without X headers; it is not needed on CPU.
npm install --no-audit --no-fund --ignore-scripts js-pytorch || echo "js-pytorch: install failed"
# PyTorch: Debian's python3-torch; OpenBLAS (pthread) makes it ~10x faster than the reference BLAS.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get install -y python3-torch libopenblas0-pthread >/dev/null 2>&1 || echo "python3-torch/openblas: apt-get failed (run apt-get update first?)"
fi
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__)' || echo "torch: missing"
