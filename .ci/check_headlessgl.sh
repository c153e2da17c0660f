#!/usr/bin/env bash
# Optional (not part of .ci/run, it builds a native addon for ~5 minutes): runs the gpu backend's tests on
# gpu.js's HeadlessGLKernel. The `gl` package (an optional dependency of gpu.js that npm does not build
# here) is compiled from source into a folder outside the project, found through NODE_PATH, and run under
# a virtual X server. Usage: bash .ci/check_headlessgl.sh [build-dir, default /tmp/aetnet-gl]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/aetnet-gl}"
need=(libxi-dev libglew-dev pkg-config xvfb xauth)
missing=(); for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; fi
if [ ! -f "$dir/node_modules/gl/build/Release/webgl.node" ]; then
  mkdir -p "$dir" && (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --foreground-scripts gl@8.1.6)
fi
NODE_PATH="$dir/node_modules" AETNET_GPU_MODE=headlessgl xvfb-run -a node --import tsx test/run.ts backends/gpu/backend
