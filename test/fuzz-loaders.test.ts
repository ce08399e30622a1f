/**
 * Every weight loader and the SCALE-Sim topology reader under seeded mutation (the
 * harness is bench/fuzz-loaders.ts, which runs the same cases with a larger budget from the
 * command line). Every case ends in a HwsimError naming the file, or in a model that loads the
 * same twice with finite weights, as many per layer as its shape says, read from inside the
 * model's folder; benign edits give the identical model; an .npz accepts no data past its CRCs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  baseInputs, FAILURES, FUZZ_LIMITS, INPUT_KINDS, MUTATIONS, npyDict, npyFromDict, plan, runFuzz, zipBytes, zipFields, type FuzzResult, type Outcome,
} from '../bench/fuzz-loaders.js';
import { HwsimError } from '../src/errors.js';
import { limits, setLimits } from '../src/limits.js';
import { loadModel } from '../src/models/load.js';
import type { Model } from '../src/models/types.js';

const PER_KIND = 400;
const CASES = PER_KIND * INPUT_KINDS.length;

describe('fuzzing the weight loaders (fixed seed, 400 cases per input kind)', () => {
  it('has bases of every kind the loaders read: npy dtypes and orders, stored/deflated/ZIP64 npz, safetensors dtypes, quantized tfjs, a CSV', () => {
    const bases = baseInputs();
    const count = (k: string) => bases.filter((b) => b.kind === k).length;
    expect(INPUT_KINDS.map(count).every((n) => n >= 2)).toBe(true);
    const latin = (b: Uint8Array) => Buffer.from(b).toString('latin1');
    const npy = bases.filter((b) => b.kind === 'npy').map((b) => latin(b.files.get(b.main)!)).join('\n');
    for (const d of ["'<f4'", "'<f2'", "'<f8'", "'>f4'", "'|i1'", "'fortran_order': True"]) expect(npy).toContain(d);
    expect(bases.filter((b) => b.kind === 'npy').some((b) => b.files.get(b.main)![6] === 2)).toBe(true); // a version 2.0 header
    const members = bases.flatMap((b) => b.members ?? []);
    expect(new Set(members.map((m) => Boolean(m.deflate)))).toEqual(new Set([false, true]));
    expect(bases.some((b) => b.zip64)).toBe(true);
    const st = bases.filter((b) => b.kind === 'safetensors').map((b) => latin(b.files.get(b.main)!)).join('\n');
    for (const d of ['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'I16', 'I32']) expect(st).toContain(`"dtype":"${d}"`);
    const tfjs = bases.filter((b) => b.kind === 'tfjs');
    const json = tfjs.map((b) => latin(b.files.get('model.json')!)).join('\n');
    for (const q of ['uint8', 'uint16', 'float16']) expect(json).toContain(`"quantization":{"dtype":"${q}"`);
    expect(json).toContain('"modelTopology"');
    expect(tfjs.some((b) => b.files.size >= 3)).toBe(true); // a group in two shards
    expect(bases.some((b) => b.kind === 'csv' && latin(b.files.get(b.main)!).includes('_DP'))).toBe(true);
    const onnx = bases.filter((b) => b.kind === 'onnx').map((b) => latin(b.files.get(b.main)!)).join('\n');
    for (const op of ['Conv', 'Gemm', 'MatMul', 'DequantizeLinear', 'SAME_UPPER', 'group', 'weights.bin']) expect(onnx).toContain(op);
    expect(bases.some((b) => b.kind === 'onnx' && b.files.has('weights.bin'))).toBe(true); // external data beside the model
  });

  let res: FuzzResult;
  const before = { ...limits() };
  let after: object;
  beforeAll(() => {
    setLimits({ maxWeights: 12_345 }); // runFuzz sets its own small limits, then restores these
    try {
      res = runFuzz({ cases: CASES, seed: 1 });
      after = { ...limits() };
    } finally {
      setLimits(before);
    }
  });

  it('ends every case in a clean error or valid, deterministic data; never a crash', () => {
    // 'lost' (an .npz member dropped silently) is a known finding: see the skipped tests below
    expect(res.failures.filter((f) => f.outcome !== 'lost')).toEqual([]);
    for (const [input, muts] of Object.entries(res.byInput)) {
      for (const [m, t] of Object.entries(muts)) {
        for (const o of FAILURES) if (o !== 'lost') expect(t.outcomes[o], `${input}:${m} ${o}`).toBe(0);
      }
    }
  });

  // FOUND by this harness (seed 1, case npz:bit-flip:stored:1000489): one bit of the central
  // directory turns the member name 'w1.npy' into 'w1>npy'; the archive then loads without its
  // conv layer and without a word (the CRC-32s do not cover names; numpy.load would still read the
  // member, by its magic). Unskip when src/models/loaders refuses or reads such members.
  it('an unforged edit of an .npz never drops a member silently (lost = 0)', () => {
    for (const [m, t] of Object.entries(res.byInput.npz)) expect(t.outcomes.lost, `npz:${m}`).toBe(0);
  });

  it('ran the cases it planned: 400 per input kind, spread evenly over its mutations', () => {
    expect(res.cases).toBe(CASES);
    const bases = baseInputs();
    const planned = new Map<string, number>();
    for (let c = 0; c < CASES; c++) {
      const p = plan(c, bases);
      planned.set(`${p.input}:${p.mutation}`, (planned.get(`${p.input}:${p.mutation}`) ?? 0) + 1);
    }
    for (const input of INPUT_KINDS) {
      expect(Object.keys(res.byInput[input]).sort()).toEqual(Object.keys(MUTATIONS[input]).sort());
      const tallies = Object.entries(res.byInput[input]);
      expect(tallies.reduce((a, [, t]) => a + t.cases, 0), input).toBe(PER_KIND);
      for (const [m, t] of tallies) {
        expect(t.cases, `${input}:${m}`).toBe(planned.get(`${input}:${m}`));
        const sum = (Object.keys(t.outcomes) as Outcome[]).reduce((a, o) => a + t.outcomes[o], 0);
        expect(sum, `${input}:${m} outcomes`).toBe(t.cases);
      }
    }
  });

  it('is not vacuous: every mutation reaches the loaders\' checks, benign edits load identically, edits of the data are accepted', () => {
    for (const [input, muts] of Object.entries(res.byInput)) {
      for (const [m, t] of Object.entries(muts)) {
        if (m === 'benign') expect(t.outcomes.identical, `${input}:benign`).toBe(t.cases);
        else expect(t.outcomes.error, `${input}:${m} caught something`).toBeGreaterThan(0);
      }
      // some mutated files still load (other values, other names): the property's accepted side ran too
      expect(Object.values(muts).reduce((a, t) => a + t.outcomes.changed, 0), `${input} accepted edits`).toBeGreaterThan(0);
    }
    // the deeper checks each caught something: traps beside the tfjs model, limits, strict formats
    const messages = [...res.messages.keys()].join('\n');
    for (const check of [
      /names (\.\.\/outside\.bin|link\.bin|zero\.bin|\/dev\/zero), which is outside the model's folder/, /is a FIFO/, /modelTopology nests deeper/,
      /fails its CRC-N check/, /limit maxInflateBytes/, /limit maxLayers/, /limit maxWeights/, /gives the key '…' twice/, /overlaps tensor/,
      /belong to no tensor/, /the first line looks like a layer, not SCALE-Sim's header row/, /holds NaN at flat index/, /is not a positive integer/,
      /uses compression method/, /ZIPN/,
      /onnx: not a valid ONNX protobuf/, /onnx: tensor '…' has data type/, /onnx: unsupported ONNX ops/, /onnx: .*the graph has a cycle|onnx: .*which no node produces/,
    ]) {
      expect(messages).toMatch(check);
    }
  });

  it('runs under the small fuzz limits, so a regression that allocates fails fast, and restores the caller\'s limits', () => {
    expect(after).toEqual({ ...before, maxWeights: 12_345 });
    expect(FUZZ_LIMITS.maxWeights).toBeLessThanOrEqual(1_000_000);
    expect(FUZZ_LIMITS.maxInflateBytes).toBeLessThanOrEqual(16 * 2 ** 20);
  });

  // FOUND by this harness (npz zip-field and bit-flip cases), reproduced by hand: each archive
  // below loads with a layer missing and no error. Unskip when src/models/loaders/zip.ts and
  // index.ts refuse them (or read every member).
  describe('an .npz that hides a member', () => {
    const arr = (shape: number[], v: number) => npyFromDict(npyDict('<f4', shape), new Uint8Array(Float32Array.from({ length: shape[0] * shape[1] }, (_, i) => v + i).buffer));
    const members = [{ name: 'a.npy', data: arr([2, 2], 1) }, { name: 'b.npy', data: arr([2, 3], 10) }, { name: 'c.npy', data: arr([3, 2], 20) }];
    /** either a HwsimError naming the file, or a model holding all three layers */
    const expectAllOrError = (name: string, bytes: Uint8Array) => {
      const dir = mkdtempSync(join(tmpdir(), 'hwsim-fuzz-npz-'));
      try {
        const p = join(dir, name);
        writeFileSync(p, bytes);
        let m: Model | undefined;
        try { m = loadModel(p); } catch (err) {
          expect(err).toBeInstanceOf(HwsimError);
          expect((err as Error).message).toContain(p);
          return;
        }
        expect(m.layers.map((l) => l.spec.weightShape.join('x'))).toEqual(['2x2', '2x3', '3x2']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it('end-of-central-directory count one short of the entries (numpy/zipfile reads the directory by its size: 3 arrays)', () => {
      const z = zipBytes(members);
      const f = zipFields(z).find((x) => x.what === 'eocd.count')!;
      new DataView(z.buffer).setUint16(f.at, 2, true); // 'eocd.count-disk' left at 3: even the two counts disagree
      expectAllOrError('count.npz', z); // today: layers a, b; c is gone
    });

    it('a member whose name lost its .npy suffix (one bit: "c.npy" → "c>npy"), holding a valid array', () => {
      expectAllOrError('renamed.npz', zipBytes([members[0], members[1], { name: 'c>npy', data: members[2].data }])); // today: a, b
    });

    it('the last central entry\'s name length one short ("c.np"; zipfile then fails on the directory\'s size)', () => {
      const z = zipBytes(members);
      const f = zipFields(z).find((x) => x.what === 'cd[2].name-len')!;
      new DataView(z.buffer).setUint16(f.at, 4, true);
      expectAllOrError('namelen.npz', z); // today: a, b
    });
  });
});
