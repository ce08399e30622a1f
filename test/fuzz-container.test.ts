/**
 * The .hwz reader under seeded mutation (the harness is bench/fuzz-container.ts, which
 * runs the same cases with a larger budget from the command line). Every case ends in a HwsimError
 * naming the file, or decodes to exactly the original data; a mutation that recomputes CRCs may
 * also decode to what the edited file says (checked by writing it back and reading it again).
 */
import { describe, expect, it } from 'vitest';
import { baseContainers, MUTATIONS, runFuzz } from '../bench/fuzz-container.js';
import { readContainer } from '../src/codecs/container.js';

describe('fuzzing the container reader (fixed seed, 3000 cases)', () => {
  it('covers raw layers, every tANS spread kind, both splits, per-channel steps and a constant layer', () => {
    const layers = baseContainers().flatMap((b) => readContainer(b.bytes, b.name).layers);
    const kinds = new Set(layers.map((l) => (l.codec === 'tans' ? l.spreadKind : 'raw')));
    expect([...kinds].sort()).toEqual(['explicit', 'fse', 'fse-tail', 'raw', 'tuned', 'tuned-tail']);
    expect(new Set(layers.map((l) => l.codec === 'tans' && l.split))).toEqual(new Set([false, 'channel', 'interleaved']));
    expect(layers.some((l) => l.quant.stepsPerChannel)).toBe(true);
    expect(layers.some((l) => l.codec === 'tans' && l.counts.includes(l.states))).toBe(true);
    expect(layers.some((l) => l.codec === 'tans' && l.tail?.some((b) => b !== 0))).toBe(true);
  });

  it('ends every case in a clean error or the original data, never a crash or other data', () => {
    const res = runFuzz({ cases: 3000, seed: 1 });
    expect(res.failures).toEqual([]);
    expect(res.cases).toBe(3000);
    for (const [kind, o] of Object.entries(res.byKind)) {
      expect(o.crash + o.different, kind).toBe(0);
      expect(o.error, `${kind} reached the reader's checks`).toBeGreaterThan(0);
    }
    expect(Object.keys(res.byKind).sort()).toEqual(Object.keys(MUTATIONS).sort());
    // the deeper checks ran: stream ends, counts, and header ranges each caught something
    const messages = [...res.messages.keys()].join('\n');
    for (const check of [/CRC-N mismatch/, /stream ended in state|non-zero padding|stream ran past/, /normalized count/, /quantizer step/, /payload of N bytes, the header implies/]) {
      expect(messages).toMatch(check);
    }
  });
});
