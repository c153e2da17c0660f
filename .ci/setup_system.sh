#!/usr/bin/env bash
# System packages the tests need beyond npm, on Debian 12 (CI runs this before `npm ci`).
#   chromium                 the browser test (test/browser/) drives it headless through playwright-core;
#                            WebGL2 there comes from its bundled SwiftShader, no GPU needed.
#   libegl1 libegl-mesa0     Mesa's EGL + llvmpipe: a software OpenGL that Dawn (the `webgpu` npm
#   libgl1-mesa-dri libgles2 package) can run WebGPU over in Node.
#   redis-server             the job-queue tests (test/src/queue/) start a real Redis on a loopback port.
# Idempotent: installs only what `dpkg -s` does not report installed, and runs apt-get update only then,
# so a second run takes well under a second.
set -euo pipefail

PACKAGES=(chromium libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 redis-server)

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done

if ((${#missing[@]} > 0)); then
  echo "setup_system: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
      echo "setup_system: not root and no sudo; install as root: apt-get install --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
  fi
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

for p in "${PACKAGES[@]}"; do
  installed "$p" || { echo "setup_system: $p is still not installed" >&2; exit 1; }
done
[ -x /usr/bin/chromium ] || { echo "setup_system: /usr/bin/chromium missing after install" >&2; exit 1; }
echo "setup_system: ok ($(/usr/bin/chromium --version 2>/dev/null || echo 'chromium version unknown'))"
