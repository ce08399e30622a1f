/**
 * Co-simulation speed: the Verilator-built engine on long layers, symbols per second of the RTL run
 * (the harness binary's wall time: stimulus read, every cycle evaluated, every transfer written),
 * median of --runs, with the protocol checks on (as `hwsim cosim` runs) and off, for the plain
 * build and the profile-guided one (`hwsim cosim tans --pgo`; its build is not timed).
 *   node dist/bench/cosim-speed.js [--symbols 250000] [--streams 4] [--states 64] [--stream-fifo-depth 2] [--runs 3]
 * Prints the machine load (uptime) first: the figures are only comparable at similar load.
 */
import { execSync } from 'node:child_process';
import { runTansCosim } from '../src/cosim/tans-cosim.js';
import { TANS_DECODER_DEFAULTS } from '../src/chip/tans-decoder.js';
import { intFlag } from './entry.js';

async function main(argv: string[]): Promise<void> {
  const symbols = intFlag(argv, 'symbols', 250_000);
  const streams = intFlag(argv, 'streams', 4);
  const states = intFlag(argv, 'states', 64);
  const streamFifoDepth = intFlag(argv, 'stream-fifo-depth', TANS_DECODER_DEFAULTS.streamFifoDepth);
  const runs = Math.max(1, intFlag(argv, 'runs', 3));
  process.stdout.write(`uptime: ${execSync('uptime').toString().trim()}\n`);
  process.stdout.write(`cosim speed: L=${states} S=${streams}, ${streamFifoDepth}-word lane FIFOs, 2 layers of ${symbols} symbols per stream, stall rate 0.2, ${runs} runs each\n`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rates: Record<string, number> = {};
  for (const pgo of [false, true]) {
    for (const protocol of [true, false]) {
      const r: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < runs; i++) {
        const res = await runTansCosim({ params: { states, symbolBits: 5, streams, streamFifoDepth }, layers: 2, seed: 1 + i, stallRate: 0.2, symbolsPerStream: symbols, protocol, pgo });
        if (!res.pass) throw new Error(`cosim failed: ${res.firstMismatch}`);
        r.push(res.symbolsCompared / res.rtlSeconds);
        cpu.push(res.symbolsCompared / res.rtlCpuSeconds);
      }
      const label = `${pgo ? 'profile-guided' : 'plain'} build, protocol checks ${protocol ? 'on ' : 'off'}`;
      rates[label] = median(r);
      process.stdout.write(`  ${label}: median ${(median(r) / 1e6).toFixed(2)} M symbols/s wall (runs: ${r.map((x) => (x / 1e6).toFixed(2)).join(', ')}), ` +
        `${(median(cpu) / 1e6).toFixed(2)} M symbols per CPU second (runs: ${cpu.map((x) => (x / 1e6).toFixed(2)).join(', ')})\n`);
    }
  }
  const [on, off, pgoOn, pgoOff] = Object.values(rates);
  process.stdout.write(`  ratio checks on/off: plain ${(on / off).toFixed(2)}, profile-guided ${(pgoOn / pgoOff).toFixed(2)}; ` +
    `profile-guided/plain: checks on ${(pgoOn / on).toFixed(2)}, off ${(pgoOff / off).toFixed(2)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\/dist\//, '/dist/'))) {
  main(process.argv.slice(2)).catch((e: unknown) => { process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; });
}
