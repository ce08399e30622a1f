#!/bin/sh
# {{banner}}
# Synthesize with Yosys, then place and route with nextpnr-ice40 on the device and package below,
# once per seed given as an argument (default: seed 1): nextpnr-<seed>.log, nextpnr_report-<seed>.json.
# --freq is the timing goal; a run that misses it still reports (--timing-allow-fail).
# The generator single-quotes every value it writes here: sh expands none of them.
set -e
cd "$(dirname "$0")"
device={{device}}
package={{package}}
freq_mhz={{freqMhz}}
top={{synthTop}}
yosys -q -l yosys.log -s synth_ice40.ys
[ $# -gt 0 ] || set -- 1
for seed in "$@"; do
  nextpnr-ice40 "--$device" --package "$package" --json "$top.json" --pcf-allow-unconstrained \
    --freq "$freq_mhz" --timing-allow-fail --report "nextpnr_report-$seed.json" --log "nextpnr-$seed.log" --seed "$seed"
done
