#!/bin/sh
# {{banner}}
# Synthesize with Yosys, then place and route with nextpnr-ice40 on the {{device}} ({{package}}).
# Unconstrained IOs are placed by nextpnr: the figures are for the engine alone, not a board.
set -e
cd "$(dirname "$0")"
yosys -q -l yosys.log -s synth_ice40.ys
nextpnr-ice40 --{{device}} --package {{package}} --json tans_engine.json --pcf-allow-unconstrained \
  --freq {{freqMhz}} --report nextpnr_report.json --log nextpnr.log --seed 1
