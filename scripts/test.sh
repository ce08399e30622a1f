#!/usr/bin/env bash
# `npm test`: installs whatever a fresh machine lacks, builds, and runs every test:
# vitest suites (codecs, chip model, RTL generation, Verilator co-simulation) and the cocotb
# benches under pytest on Icarus Verilog.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for tool in verilator:verilator iverilog:iverilog yosys:yosys nextpnr-ice40:nextpnr-ice40 rsvg-convert:librsvg2-bin; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_apt+=("${tool##*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing ${need_apt[*]} (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi
if ! python3 -c 'import cocotb, pytest' >/dev/null 2>&1; then
  echo "test: installing cocotb, pytest (pip)"
  python3 -m pip install -q 'cocotb==2.1.*' pytest numpy
fi
# onnx (Python) checks the ONNX files the tests write and infers their shapes independently
if ! python3 -c 'import onnx' >/dev/null 2>&1; then
  echo "test: installing onnx (pip)"
  python3 -m pip install -q onnx
fi
[ -d node_modules ] || npm ci
bash scripts/fetch-models.sh >/dev/null
npx tsc -p tsconfig.json
npx vitest run
python3 -m pytest sim -q
