/**
 * The query unit's random-access port (wm_access_port.v) under Verilator against the reference
 * (WaveletMatrix.access: every symbol; positions outside the sequence refused) and the random-access
 * cycle model (wmAccessCycles: cycles, cache hits and misses of every access and in total), with
 * random valid/ready on both sides: each rank cache option, plain and Huffman-shaped matrices,
 * sequential and random positions, synthetic Laplace weights (test/laplace.ts) and the LeNet-5
 * fixture. Row requests (select on the delimiter, then access) on element-wise layers against
 * RowAccess and wmRowAccessCycles, each cache option, synthetic Laplace layers and LeNet-5's fully
 * connected layers. Mutants of the port (the hit rule, the miss cycle, a level base, the range
 * check; the select's binary search, select0/select1, the entry cycle, the row refusal, the walk to
 * the delimiter's leaf) must each make the run fail.
 */
import { describe, expect, it } from 'vitest';
import { rowHeaderOf, wmAccessCycles, wmRowAccessCycles } from '../src/chip/wm-access.js';
import { wmSelectCycles } from '../src/chip/wm-source.js';
import { RowAccess, elementSequence } from '../src/codecs/wm/ras.js';
import { quantize } from '../src/codecs/quant/index.js';
import { huffmanMatrix, plainMatrix } from '../src/codecs/wm/matrix.js';
import { accessLayers, rowLayers, runWmAccessCosim, type AccessLayer, type AccessOrder, type WmAccessCosimResult } from '../src/cosim/wm-access-cosim.js';
import type { RtlMutation } from '../src/cosim/verilator.js';
import { loadModel } from '../src/models/load.js';
import { resolveWmEngineParams } from '../src/params/groups.js';
import { main } from '../src/cli/main.js';
import { captureOutput } from './capture-output.js';
import { laplace } from './laplace.js';

const io = captureOutput();
const SMALL = { wmLevels: 16, wmBufferWords: 4096 };
/** a cold Verilator build takes a minute or more on a loaded 2-core machine */
const BUILD_TIMEOUT = 1_200_000;

/** Laplace weights (test/laplace.ts) quantized at `bins`, as a plain and a Huffman-shaped matrix; and a one-symbol layer */
function laplaceLayers(seed: number): AccessLayer[] {
  const out: AccessLayer[] = [];
  for (const [n, bins, b] of [[3000, 31, 0.05], [2500, 15, 0.2], [1800, 3, 1]] as const) {
    const q = quantize(laplace(n, b, seed + bins), bins).symbols;
    out.push({ name: `Laplace ${bins} bins`, shape: 'plain', wm: plainMatrix(q, bins) });
    out.push({ name: `Laplace ${bins} bins`, shape: 'huffman', wm: huffmanMatrix(q, bins) });
  }
  out.push({ name: 'one symbol', shape: 'huffman', wm: huffmanMatrix(new Uint8Array(700).fill(2), 5) });
  return out;
}

function expectRan(r: WmAccessCosimResult, layers: AccessLayer[]) {
  expect(r.firstMismatch).toBeUndefined();
  expect(r.pass).toBe(true);
  expect(r.protocolViolations).toBe(0);
  // it really ran: every position answered and compared, refusals among them, cycles counted both ways
  expect(r.layers).toHaveLength(layers.length);
  expect(r.accessesCompared).toBe(r.rtl.accesses);
  expect(r.rtl.accesses).toBe(r.model.accesses);
  expect(r.rtl.refused).toBeGreaterThan(0);
  expect(r.rtl.refused).toBe(r.model.refused);
  expect(r.rtl.cycles).toBe(r.model.cycles);
  expect(r.rtl.hits).toBe(r.model.hits);
  expect(r.rtl.misses).toBe(r.model.misses);
  expect(r.rtl.cycles).toBeGreaterThan(r.rtl.accesses);
  for (const l of r.layers) expect(l.rtl.accesses).toBeGreaterThan(0);
}

describe('wm random-access port co-simulation (Verilator)', () => {
  for (const mode of ['none', 'level', 'node'] as const) {
    it(`rank cache ${mode}: every symbol, refusal, cycle, hit and miss equal, sequential and random, with stalls`, async () => {
      const layers = laplaceLayers(7);
      const params = { ...SMALL, wmRankCache: mode };
      const rates: Record<string, number> = {};
      for (const order of ['sequential', 'random'] as AccessOrder[]) {
        const r = await runWmAccessCosim({ params, layers, order, seed: 3, stallRate: 0.3, accesses: 2500 });
        expectRan(r, layers);
        // stalls on both sides: the run is longer than its accesses, whose cycles exclude the waits
        expect(r.rtl.run).toBeGreaterThan(r.rtl.cycles);
        rates[order] = r.rtl.hits / (r.rtl.hits + r.rtl.misses);
        // with no stalls, back to back: the run takes exactly the model's cycles
        const still = await runWmAccessCosim({ params, layers, order, seed: 4, stallRate: 0, accesses: 800 });
        expectRan(still, layers);
        expect(still.rtl.run).toBe(still.model.cycles);
      }
      if (mode === 'none') expect(rates.sequential).toBe(0);
      if (mode === 'node') expect(rates.sequential).toBeGreaterThan(0.99);
      if (mode === 'level') expect(rates.sequential).toBeGreaterThan(0.3);
      expect(rates.random).toBeLessThan(0.1);
    }, BUILD_TIMEOUT);
  }

  it('the LeNet-5 fixture, Huffman-shaped through the encoder and plain: every access equal', async () => {
    const p = resolveWmEngineParams({ ...SMALL, wmRankCache: 'level' });
    const model = loadModel('test/fixtures/lenet/lenet-5.safetensors');
    const layers = accessLayers(p, { seed: 1, shapes: ['plain', 'huffman'], model, bins: 15, maxWeightsPerLayer: 12000 });
    expect(layers).toHaveLength(2 * model.layers.length);
    for (const order of ['sequential', 'random'] as AccessOrder[]) {
      const r = await runWmAccessCosim({ params: p, layers, order, seed: 1, stallRate: 0.2 });
      expectRan(r, layers);
      expect(r.accessesCompared).toBeGreaterThan(30_000);
    }
  }, BUILD_TIMEOUT);

  /** element-wise Laplace layers: some with levels of several directory blocks (a binary search of 2 or 3 probes) */
  const rowSet = (seed: number) => rowLayers(resolveWmEngineParams(SMALL), { seed, shapes: ['plain', 'huffman'], layers: 4, weightsPerLayer: 6000 });

  function expectRowsRan(r: WmAccessCosimResult, layers: AccessLayer[]) {
    expectRan(r, layers);
    expect(r.rows).toBe(true);
    // selects taken and timed both ways; the walk to the delimiter's leaf at go, RTL and model
    expect(r.rtl.selects).toBeGreaterThan(0);
    expect(r.rtl.selects).toBe(r.model.selects);
    expect(r.rtl.selectCycles).toBe(r.model.selectCycles);
    expect(r.rtl.selectCycles).toBeGreaterThan(2 * r.rtl.selects);
    expect(r.rtl.walk).toBe(r.model.walk);
    for (const l of r.layers) expect(l.rtl.walk).toBeGreaterThan(0);
  }

  for (const mode of ['none', 'level', 'node'] as const) {
    it(`row requests, rank cache ${mode}: every row start, symbol, refusal, select and access cycle equal, sequential and random, with stalls`, async () => {
      const layers = rowSet(5);
      // a binary search of more than one probe is among them
      expect(Math.max(...layers.map((l) => l.wm.length))).toBeGreaterThan(2 * 2048);
      const params = { ...SMALL, wmRankCache: mode };
      for (const order of ['sequential', 'random'] as AccessOrder[]) {
        const r = await runWmAccessCosim({ params, layers, order, seed: 3, stallRate: 0.3, accesses: 3000, rows: true });
        expectRowsRan(r, layers);
        expect(r.rtl.run).toBeGreaterThan(r.rtl.cycles);
        // sequentially a select per row entered (the last row's start is kept), at random nearly one per request
        if (order === 'sequential') expect(r.rtl.selects).toBeLessThan(r.rtl.accesses / 2);
        else expect(r.rtl.selects).toBeGreaterThan(r.rtl.accesses / 2);
        const still = await runWmAccessCosim({ params, layers, order, seed: 4, stallRate: 0, accesses: 600, rows: true });
        expectRowsRan(still, layers);
        expect(still.rtl.run).toBe(still.model.cycles);
      }
    }, BUILD_TIMEOUT);
  }

  it('row requests on LeNet-5\'s fully connected layers, Huffman-shaped through the encoder and plain', async () => {
    const p = resolveWmEngineParams({ ...SMALL, wmRankCache: 'node' });
    const model = loadModel('test/fixtures/lenet/lenet-5.safetensors');
    const layers = rowLayers(p, { seed: 1, shapes: ['plain', 'huffman'], model, bins: 15, maxWeightsPerLayer: 12000 });
    expect(layers.length).toBeGreaterThanOrEqual(4);
    expect(layers.every((l) => l.name.startsWith('layer ip'))).toBe(true);
    for (const order of ['sequential', 'random'] as AccessOrder[]) {
      const r = await runWmAccessCosim({ params: p, layers, order, seed: 1, stallRate: 0.2, accesses: 4000, rows: true });
      expectRowsRan(r, layers);
      expect(r.accessesCompared).toBeGreaterThan(4 * 4000);
    }
  }, BUILD_TIMEOUT);

  it('the row model: a select per row entered (none for row 0 or the last row), the start RowAccess gives, per request what it gives in total', () => {
    const q = quantize(laplace(6000, 0.1, 3), 15).symbols;
    const shape = [40, 150];
    const header = { form: 'element' as const, gapSymbols: 0, quant: { bins: 15, step: 1 }, shape };
    const wm = plainMatrix(elementSequence(q, shape, 15), 16);
    const rows = new RowAccess(wm, header);
    const requests = [{ row: 0, element: 3 }, { row: 5, element: 0 }, { row: 5, element: 149 }, { row: 0, element: 1 }, { row: 39, element: 7 }, { row: 5, element: 2 }];
    const f = wmRowAccessCycles(rows, requests, 'none');
    const select = wmSelectCycles(rowHeaderOf(wm, rows));
    // 6040 bits a level: 3 directory entries, 2 probes, then the entry and the line: 4 cycles per level of the delimiter's 4-bit code
    expect(select).toBe(4 * (2 + 2));
    expect(Array.from(f.selectCycles)).toEqual([0, select, 0, 0, select, select]);
    expect(Array.from(f.starts)).toEqual(requests.map((r) => r.row * 151));
    expect(Array.from(f.symbols)).toEqual(requests.map((r) => q[r.row * 150 + r.element]));
    // each request: its select, then the access (plain, no cache: 4 levels, 3 misses)
    expect(Array.from(f.accessCycles)).toEqual(Array.from(f.selectCycles, (s) => s + 4 + 3));
    expect(f.cycles).toBe(Array.from(f.accessCycles).reduce((a, b) => a + b, 0));
  });

  it('the model reports per access what it reports in total', () => {
    const q = quantize(laplace(5000, 0.1, 3), 31).symbols;
    for (const wm of [plainMatrix(q, 31), huffmanMatrix(q, 31)]) {
      const pos = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 5000);
      const f = wmAccessCycles(wm, pos, 'level');
      const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
      expect(sum(f.accessCycles)).toBe(f.cycles);
      expect(sum(f.accessHits)).toBe(f.hits);
      expect(sum(f.accessMisses)).toBe(f.misses);
    }
  });

  // each deliberate bug must make the co-simulation fail, and for the reason it breaks
  const mutants: [string, RtlMutation, RegExp][] = [
    ['the hit rule one word too long', { file: 'wm_access_port.v', from: "sdist <= {{(PW-6){1'b0}}, 6'd32}", to: "sdist <= {{(PW-7){1'b0}}, 7'd64}" }, /hits|is \d+, the reference/],
    ['the miss cycle skipped', { file: 'wm_access_port.v', from: 'wire descend = (walking && internal && hit) ||', to: 'wire descend = (walking && internal) ||' }, /cycles/],
    ['a wrong level base (the directory one entry short)', { file: 'wm_access_port.v', from: "dirw = ((len >> 11) + 32'd1) << 1;", to: 'dirw = (len >> 11) << 1;' }, /the reference answers/],
    ['out-of-range positions not refused', { file: 'wm_access_port.v', from: 'wire refuse_pos = req_pos_i >= n_q;', to: "wire refuse_pos = 1'b0 && req_pos_i >= n_q;" }, /outside the sequence/],
  ];
  for (const [what, mutation, reason] of mutants) {
    it(`mutant caught: ${what}`, async () => {
      const layers = laplaceLayers(11);
      const r = await runWmAccessCosim({ params: { ...SMALL, wmRankCache: 'level' }, layers, order: 'sequential', seed: 2, stallRate: 0.2, accesses: 1500, mutation });
      expect(r.pass).toBe(false);
      expect(r.firstMismatch).toMatch(reason);
    }, BUILD_TIMEOUT);
  }

  // the select's mutants, on row requests: each must fail the run
  const rowMutants: [string, RtlMutation, RegExp][] = [
    ['the binary search probes one entry too low', { file: 'wm_access_port.v', from: 'wire [PW-1:0] probe_e = blk_q + step_q;', to: "wire [PW-1:0] probe_e = blk_q + step_q - {{(PW-1){1'b0}}, 1'b1};" }, /row start/],
    ['select0 and select1 swapped', { file: 'wm_access_port.v', from: 'wire         sbit = dcode_q[lv_q];', to: 'wire         sbit = !dcode_q[lv_q];' }, /row start/],
    ['the entry cycle skipped (the line read from the last probe)', { file: 'wm_access_port.v', from: 'S_PROBE: state_d = probe_last ? S_ENTRY : S_PROBE;', to: 'S_PROBE: state_d = probe_last ? S_LINE : S_PROBE;' }, /row start|select took/],
    ['rows past the last delimiter not refused', { file: 'wm_access_port.v', from: 'wire refuse = req_row_i ? req_r_i >= rows_q || req_pos_i >= rowlen_q : refuse_pos;', to: 'wire refuse = req_row_i ? req_pos_i >= rowlen_q : refuse_pos;' }, /the reference refuses it \(RowAccess.weight\)/],
    ['the walk to the delimiter\'s leaf one level short', { file: 'wm_access_port.v', from: "wire         down_more = lv_q + 5'd1 < dlen_q;", to: "wire         down_more = lv_q + 5'd2 < dlen_q;" }, /walk to the delimiter's leaf took|row start/],
  ];
  for (const [what, mutation, reason] of rowMutants) {
    it(`row mutant caught: ${what}`, async () => {
      const layers = rowSet(13);
      const r = await runWmAccessCosim({ params: { ...SMALL, wmRankCache: 'level' }, layers, order: 'sequential', seed: 2, stallRate: 0.2, accesses: 3000, rows: true, mutation });
      expect(r.pass).toBe(false);
      expect(r.firstMismatch).toMatch(reason);
    }, BUILD_TIMEOUT);
  }

  it('the port refuses a config it cannot take (cfg_error_o), and the run fails', async () => {
    const q = quantize(laplace(3000, 0.05, 5), 31).symbols;
    const deep = huffmanMatrix(q, 31);
    expect(deep.levels.length).toBeGreaterThan(4);
    // more levels than the port's Levels
    const r = await runWmAccessCosim({ params: { ...SMALL, wmLevels: 4 }, layers: [{ name: 'deep', shape: 'huffman', wm: deep }], order: 'random', seed: 1, stallRate: 0.2, accesses: 100, unchecked: true });
    expect(r.pass).toBe(false);
    expect(r.firstMismatch).toMatch(/refused the config \(cfg_error_o\)/);
    expect(r.rtl.accesses).toBe(0);
    // a payload larger than BufferWords (the same build: 4 levels, 4096 words)
    const big = plainMatrix(quantize(laplace(40000, 0.2, 6), 15).symbols, 15);
    expect(big.levels.length).toBe(4);
    expect(big.storedBits / 32).toBeGreaterThan(SMALL.wmBufferWords);
    const r2 = await runWmAccessCosim({ params: { ...SMALL, wmLevels: 4 }, layers: [{ name: 'big', shape: 'plain', wm: big }], order: 'random', seed: 1, stallRate: 0.2, accesses: 100, unchecked: true });
    expect(r2.pass).toBe(false);
    expect(r2.firstMismatch).toMatch(/refused the config/);
  }, BUILD_TIMEOUT);

  it('hwsim cosim wm --access prints PASS and the figures; bad flags are refused in one line', async () => {
    expect(await main(['cosim', 'wm', '--access', 'random', '--rank-cache', 'node', '--levels', '16', '--buffer-words', '4096', '--layers', '2', '--symbols', '800'])).toBe(0);
    expect(io.stdout).toMatch(/^PASS cosim wm access wm_P2_W2_D16_B5_M4096 rank-cache node random seed 1/);
    expect(io.stdout).toMatch(/accesses compared \d+/);
    io.clear();
    expect(await main(['cosim', 'wm', '--access', 'diagonal'])).toBe(2);
    expect(io.stderr).toMatch(/--access diagonal is not an access order/);
    io.clear();
    expect(await main(['cosim', 'wm', '--access', 'sequential', '--rows', '--levels', '16', '--buffer-words', '4096', '--layers', '2', '--symbols', '1500'])).toBe(0);
    expect(io.stdout).toMatch(/^PASS cosim wm access wm_P2_W2_D16_B5_M4096 rank-cache node sequential rows seed 1/);
    expect(io.stdout).toMatch(/row requests compared \d+/);
    expect(io.stdout).toMatch(/\d+ selects in \d+ cycles\), model \d+ \(\d+ hits, \d+ misses, \d+ selects in \d+ cycles/);
    io.clear();
    expect(await main(['cosim', 'wm', '--rows'])).toBe(2);
    expect(io.stderr).toMatch(/--rows is a flag of hwsim cosim wm --access/);
    io.clear();
    expect(await main(['cosim', 'wm', '--rank-cache', 'level'])).toBe(2);
    expect(io.stderr).toMatch(/--rank-cache is a flag of hwsim cosim wm --access/);
    io.clear();
    expect(await main(['cosim', 'wm', '--access', 'random', '--rank-cache', 'lru'])).toBe(2);
    expect(io.stderr).toMatch(/--rank-cache "lru" is not allowed: one of none, level, node/);
    io.clear();
    // a model's layer deeper than the port is refused with the flag to raise (synthetic layers are narrowed to fit)
    expect(await main(['cosim', 'wm', '--access', 'random', '--levels', '4', '--weights', 'lenet5', '--bins', '31', '--layers', '1'])).toBe(2);
    expect(io.stderr).toMatch(/layer conv1: its longest code has 5 bits, more than --levels 4[\s\S]*raise --levels to 5/);
  }, BUILD_TIMEOUT);
});
