#!/bin/sh
# {{banner}}
# Synthesize with Yosys, then place and route with nextpnr-ice40 on the device and package below.
# Unconstrained IOs are placed by nextpnr: the figures are for the engine alone, not a board.
# The generator single-quotes every value it writes here: sh expands none of them.
set -e
cd "$(dirname "$0")"
device={{device}}
package={{package}}
freq_mhz={{freqMhz}}
yosys -q -l yosys.log -s synth_ice40.ys
nextpnr-ice40 "--$device" --package "$package" --json tans_engine.json --pcf-allow-unconstrained \
  --freq "$freq_mhz" --report nextpnr_report.json --log nextpnr.log --seed 1
