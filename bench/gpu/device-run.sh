#!/usr/bin/env bash
# `npm run bench -- --gpu --quick` on a machine with an NVIDIA GPU: Chromium's WebGPU on the
# hardware adapter through Vulkan, the same keys as bench/results/latest.json plus
# webgpu_over_native, written to bench/results/gpu.{json,md} (and copied to $OUT when set).
#
# What the machine needs: Node 20+, this checkout with node_modules (npm ci), Chromium at
# /usr/bin/chromium, and the Vulkan loader. The tool library's device entry reaches no registry,
# so on it node_modules and Chromium must come with the working tree; see CONTRIBUTING.md
# ("Benchmarks on a GPU") for what was and was not possible there.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Vulkan and EGL loaders unpacked from Debian packages carried in .gl/ (see the device README).
if compgen -G ".gl/*.deb" > /dev/null; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
export __EGL_VENDOR_LIBRARY_FILENAMES="${__EGL_VENDOR_LIBRARY_FILENAMES:-/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json}"

if [ ! -x /usr/bin/chromium ]; then echo "Chromium is not at /usr/bin/chromium: install it (apt-get install -y chromium) and run this again." >&2; exit 2; fi
if [ ! -d node_modules ]; then echo "node_modules is missing: run npm ci (or bring node_modules with the checkout) and run this again." >&2; exit 2; fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || echo "nvidia-smi found no GPU; the run records whichever adapter Chromium offers."

npx tsx bench/run.ts --gpu --quick
if [ -n "${OUT:-}" ]; then cp bench/results/gpu.json bench/results/gpu.md "$OUT/"; fi
