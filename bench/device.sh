#!/usr/bin/env bash
# The gpu backend's bench rows on a machine with a GPU, in one go and in under 5 minutes:
#   bash bench/device.sh            (from the repository root; `--quick` for the two quick rows only)
# 1. Installs what Dawn (WebGPU in Node, the optional `webgpu` npm package) needs to reach a real GPU: the Vulkan
#    loader (Debian/Ubuntu `libvulkan1`) and Mesa's Vulkan drivers for AMD and Intel GPUs (`mesa-vulkan-drivers`).
#    NVIDIA's Vulkan driver ships with its driver (libGLX_nvidia); when the loader has no manifest (ICD) for it,
#    one is written. Packages come from apt when it works; offline, .deb files in $AETNET_DEBS are unpacked into
#    .device/ instead (fetch them elsewhere with `apt-get download libvulkan1`).
# 2. `npm ci` when node_modules is missing.
# 3. Opens the gpu backend on Dawn's Vulkan backend and refuses to go on unless the adapter is a real GPU (not
#    Mesa's llvmpipe software rasteriser). To test the script itself without a GPU:
#    AETNET_DEVICE_NO_INSTALL=1 AETNET_DEVICE_ALLOW_SOFTWARE=1 bash bench/device.sh --quick
# 4. Runs `bench/run.ts --engines="gpu backend"` (W1 512/1024, W2 fwd and fwd+bwd, W3 softmax fwd and fwd+bwd on
#    the device), printing its table; results go to bench/results/<stamp>-filtered.json. Each step has a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=""; [[ "${1:-}" == "--quick" ]] && QUICK="--quick"
say() { printf '\n== %s\n' "$*"; }
SUDO=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO="sudo"
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || [[ -e ".device/usr/lib/x86_64-linux-gnu/$1" ]]; }

say "GPU"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"

say "Vulkan loader and drivers"
if [[ -n "${AETNET_DEVICE_NO_INSTALL:-}" ]]; then
  echo "AETNET_DEVICE_NO_INSTALL is set: installing nothing"
elif ! has_lib libvulkan.so.1; then
  if timeout 120 $SUDO apt-get install -y --no-install-recommends libvulkan1 mesa-vulkan-drivers >/dev/null 2>&1 \
     || { timeout 60 $SUDO apt-get update >/dev/null 2>&1 && timeout 120 $SUDO apt-get install -y --no-install-recommends libvulkan1 mesa-vulkan-drivers >/dev/null 2>&1; }; then
    echo "installed libvulkan1 mesa-vulkan-drivers with apt"
  elif [[ -n "${AETNET_DEBS:-}" ]] && ls "$AETNET_DEBS"/*.deb >/dev/null 2>&1; then
    mkdir -p .device
    for deb in "$AETNET_DEBS"/*.deb; do dpkg -x "$deb" .device; done
    echo "unpacked $(ls "$AETNET_DEBS"/*.deb | wc -l) .deb file(s) from $AETNET_DEBS into .device/"
  else
    echo "cannot install libvulkan1 (apt failed, no \$AETNET_DEBS); Dawn will not see the GPU" >&2
  fi
fi
if [[ -d .device/usr/lib/x86_64-linux-gnu ]]; then
  export LD_LIBRARY_PATH="$PWD/.device/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  [[ -d .device/usr/share/vulkan/icd.d ]] && export VK_ADD_DRIVER_FILES="$(ls -d "$PWD"/.device/usr/share/vulkan/icd.d/*.json 2>/dev/null | paste -sd:)"
fi
ICD_DIRS="/usr/share/vulkan/icd.d /etc/vulkan/icd.d"
if [[ -z "${AETNET_DEVICE_NO_INSTALL:-}" ]] && command -v nvidia-smi >/dev/null && ! ls $ICD_DIRS 2>/dev/null | grep -qi nvidia; then
  if has_lib libGLX_nvidia.so.0; then
    icd='{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3"}}'
    if $SUDO mkdir -p /etc/vulkan/icd.d 2>/dev/null && echo "$icd" | $SUDO tee /etc/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1; then
      echo "wrote /etc/vulkan/icd.d/nvidia_icd.json"
    else
      mkdir -p .device && echo "$icd" > .device/nvidia_icd.json
      export VK_ADD_DRIVER_FILES=".device/nvidia_icd.json${VK_ADD_DRIVER_FILES:+:$VK_ADD_DRIVER_FILES}"
      echo "using .device/nvidia_icd.json"
    fi
  else
    echo "NVIDIA driver without libGLX_nvidia.so.0 (in a container: NVIDIA_DRIVER_CAPABILITIES must include graphics)" >&2
  fi
fi

say "node modules"
[[ -d node_modules/webgpu ]] || timeout 180 npm ci --no-audit --no-fund
[[ -d node_modules/webgpu ]] || { echo "node_modules/webgpu (Dawn) is missing: npm ci skipped optional dependencies" >&2; exit 1; }

say "adapter"
if [[ -n "${AETNET_DEVICE_ALLOW_SOFTWARE:-}" ]]; then unset AETNET_WEBGPU_BACKEND; else export AETNET_WEBGPU_BACKEND="${AETNET_WEBGPU_BACKEND:-vulkan}"; fi
adapter=$(timeout 120 node --import tsx --input-type=module -e '
  const e = await import("./engine/index.ts");
  const info = await e.setBackend("gpu");
  console.log(info.adapter);
  await e.setBackend("cpu");' 2>/dev/null | tail -n 1) || true
echo "adapter: ${adapter:-none}"
if [[ -z "$adapter" || ( "$adapter" == *llvmpipe* && -z "${AETNET_DEVICE_ALLOW_SOFTWARE:-}" ) ]]; then
  echo "no GPU adapter through Dawn's Vulkan backend; stopping before the bench (see the lines above)" >&2
  exit 1
fi

say "gpu backend bench rows"
timeout 280 node --import tsx bench/run.ts $QUICK --engines="gpu backend"
