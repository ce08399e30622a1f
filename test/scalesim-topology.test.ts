/** SCALE-Sim topology CSV loader. */
import { describe, expect, it } from 'vitest';
import { HwsimError } from '../src/errors.js';
import { parseScaleSimTopology } from '../src/models/scalesim.js';

const HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';

function err(text: string): HwsimError {
  try { parseScaleSimTopology(text, 't.csv'); } catch (e) { if (e instanceof HwsimError) return e; throw e; }
  throw new Error('no error');
}

describe('SCALE-Sim topology CSV', () => {
  it('reads rows with trailing commas, skips the header and blank lines', () => {
    const specs = parseScaleSimTopology(`${HEADER}Conv1, 230, 230, 7, 7, 3, 64, 2,\n\nCONV2_DP, 114, 114, 3, 3, 64, 64, 1,\nFC, 1, 1, 1, 1, 2048, 1000, 1, 1,\n`);
    expect(specs).toHaveLength(3);
    expect(specs[0]).toMatchObject({ name: 'Conv1', kind: 'conv', ifmapH: 230, filterH: 7, channels: 3, filters: 64, stride: 2, weightShape: [64, 3, 7, 7] });
    expect(specs[1]).toMatchObject({ name: 'CONV2_DP', kind: 'dwconv', channels: 64, weightShape: [64, 1, 3, 3] });
    expect(specs[2]).toMatchObject({ name: 'FC', stride: 1, weightShape: [1000, 2048, 1, 1] });
  });
  it('a depthwise row with Num Filter a multiple of Channels has a channel multiplier', () => {
    const [s] = parseScaleSimTopology(`${HEADER}dw_DP, 10, 10, 3, 3, 8, 16, 1,\n`);
    expect(s.weightShape).toEqual([16, 1, 3, 3]);
  });
  it('malformed cells name the line and the column', () => {
    const e = err(`${HEADER}Conv1, 230, 2x30, 7, 7, 3, 64, 2,\n`);
    expect(e.message).toBe("t.csv: line 2, column 3 (IFMAP Width): '2x30' is not a positive integer");
    expect(err(`${HEADER}ok, 8, 8, 1, 1, 1, 1, 1,\nbad, 8, 8, 1, 1, 0, 1, 1,\n`).message).toMatch(/line 3, column 6 \(Channels\): '0'/);
    expect(err(`${HEADER}short, 8, 8, 1,\n`).message).toMatch(/line 2: 4 columns, expected 8 or 9/);
    expect(err(`${HEADER}, 8, 8, 1, 1, 1, 1, 1,\n`).message).toMatch(/column 1 \(Layer name\): empty/);
    expect(err(`${HEADER}big, 4, 4, 5, 5, 1, 1, 1,\n`).message).toMatch(/filter 5x5 is larger than the 4x4 ifmap/);
    expect(err(`${HEADER}s, 8, 8, 1, 1, 1, 1, 1, 2,\n`).message).toMatch(/column 9 \(Stride width\)/);
    expect(err(HEADER).message).toMatch(/no layers/);
  });
});
