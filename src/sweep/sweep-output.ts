/**
 * A sweep's files: JSON (everything, per-layer stalls included: what `hwsim sweep merge` and
 * `hwsim plot` read) and CSV (one row per design point, one column per setting and figure: what a
 * spreadsheet or pandas reads). Shards of one sweep merge into the sweep they are slices of.
 */
import { readFileSync } from 'node:fs';
import { HwsimError } from '../errors.js';
import { paramsOf } from '../params/lookup.js';
import { keyOf } from '../params/schema.js';
import { csvCell } from '../report/run-report.js';
import { markPareto } from './pareto.js';
import { FIGURE_COLUMNS, type SweepRow } from './row.js';
import type { SweepResult } from './run-sweep.js';

const CHIP_KEYS = paramsOf('chip').map((p) => keyOf(p, 'chip'));
const CODEC_KEYS = paramsOf('codec').filter((p) => !p.groups.includes('chip')).map((p) => p.name);

export function sweepJson(r: SweepResult): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}

/** The CSV's header: index, model, every chip field, every codec setting, every figure, pareto. */
export function sweepCsvHeader(): string[] {
  return ['index', 'model', 'synthetic', ...CHIP_KEYS, ...CODEC_KEYS.map((k) => (k === 'states' ? 'states' : `codec_${k}`)),
    ...FIGURE_COLUMNS.map((c) => c.key), 'pareto'];
}

/** A row's values in the order of sweepCsvHeader. */
export function csvValues(r: SweepResult, row: SweepRow): unknown[] {
  const chip = row.chip as unknown as Record<string, unknown>;
  return [
    row.index, r.model.name, r.model.synthetic,
    ...CHIP_KEYS.map((k) => chip[k]),
    ...CODEC_KEYS.map((k) => (k === 'states' ? row.codec.states : row.codec.options[k])),
    ...FIGURE_COLUMNS.map((c) => row.figures[c.key]),
    row.pareto,
  ];
}

export function sweepCsv(r: SweepResult): string {
  const lines = [sweepCsvHeader().join(',')];
  for (const row of r.rows) lines.push(csvValues(r, row).map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** A sweep's rows keyed by CSV column, numbers as numbers: what `hwsim plot` reads from a CSV or a JSON. */
export type SweepRecord = Record<string, string | number | boolean | null>;

export function recordsOf(r: SweepResult): SweepRecord[] {
  const head = sweepCsvHeader();
  return r.rows.map((row) => {
    const v = csvValues(r, row);
    return Object.fromEntries(head.map((h, i) => [h, (v[i] ?? null) as SweepRecord[string]]));
  });
}

/** Parses CSV text (RFC 4180: quoted cells, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new HwsimError('the CSV ends inside a quoted cell', 'give a complete sweep.csv');
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Reads a sweep CSV written by `hwsim sweep`: the header must be the one it writes. */
export function readSweepCsv(path: string): SweepRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HwsimError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'give a sweep.csv written by hwsim sweep');
  }
  const [head, ...body] = parseCsv(text);
  const want = sweepCsvHeader();
  if (!head || head.join(',') !== want.join(',')) {
    const missing = want.filter((c) => !head?.includes(c));
    throw new HwsimError(`${path} is not a sweep CSV of this hwsim (${missing.length ? `missing columns: ${missing.slice(0, 5).join(', ')}` : 'columns in another order'})`,
      'give a sweep.csv written by hwsim sweep, or its sweep.json');
  }
  return body.filter((r) => r.length > 1 || r[0] !== '').map((cells, n) => {
    if (cells.length !== want.length) throw new HwsimError(`${path}: row ${n + 2} has ${cells.length} cells, the header ${want.length}`, 'give an unedited sweep.csv');
    return Object.fromEntries(want.map((h, i) => {
      const c = cells[i];
      const v = c === '' ? null : c === 'true' ? true : c === 'false' ? false : Number.isFinite(Number(c)) ? Number(c) : c;
      return [h, v];
    }));
  });
}

/** Reads a sweep JSON written by `hwsim sweep`, checking that it is one. */
export function readSweepJson(path: string): SweepResult {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HwsimError(code ? `cannot read ${path}: ${code}` : `${path} is not valid JSON: ${(err as Error).message}`,
      'give a sweep.json written by hwsim sweep');
  }
  const r = doc as Partial<SweepResult>;
  if (r === null || typeof r !== 'object' || r.kind !== 'hwsim-sweep' || r.version !== 1 || !Array.isArray(r.rows) ||
    typeof r.gridHash !== 'string' || !r.shard || !Array.isArray(r.objectives)) {
    throw new HwsimError(`${path} is not a sweep written by hwsim sweep (kind "hwsim-sweep", version 1)`, 'give the sweep.json of a hwsim sweep run');
  }
  return r as SweepResult;
}

/**
 * Joins the shards of one sweep. They must come from the same grid, model, chip config and
 * objectives, with the same shard count, each shard once; unless `partial`, all shards must be there.
 */
export function mergeSweeps(parts: ReadonlyArray<{ path: string; result: SweepResult }>, partial = false): SweepResult {
  if (parts.length === 0) throw new HwsimError('nothing to merge', 'give the sweep.json of every shard');
  const [first] = parts;
  const f = first.result;
  const seen = new Map<number, string>();
  for (const { path, result: r } of parts) {
    if (r.gridHash !== f.gridHash) {
      throw new HwsimError(`${path} is a different sweep from ${first.path} (grid or chip config differ: ${JSON.stringify(r.grid)} vs ${JSON.stringify(f.grid)})`,
        'merge only the shards of one sweep (same model, axes, fixed settings and --config)');
    }
    if (r.shard.count !== f.shard.count) {
      throw new HwsimError(`${path} is shard ${r.shard.index}/${r.shard.count}, ${first.path} shard ${f.shard.index}/${f.shard.count}`,
        'merge shards cut the same way (the same n in --shard i/n)');
    }
    if (r.objectives.join(',') !== f.objectives.join(',')) {
      throw new HwsimError(`${path} has objectives ${r.objectives.join(',')}, ${first.path} ${f.objectives.join(',')}`, 'run every shard with the same --objectives');
    }
    const before = seen.get(r.shard.index);
    if (before !== undefined) throw new HwsimError(`shard ${r.shard.index}/${r.shard.count} is given twice (${before} and ${path})`, 'give each shard once');
    seen.set(r.shard.index, path);
  }
  const missing = Array.from({ length: f.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length && !partial) {
    throw new HwsimError(`shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${f.shard.count} missing`,
      'give every shard\'s sweep.json, or --partial to merge what is there');
  }
  const rows: SweepRow[] = parts.flatMap((p) => p.result.rows).sort((a, b) => a.index - b.index);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].index === rows[i - 1].index) throw new HwsimError(`design point ${rows[i].index} appears in two shards`, 'merge the outputs of one sharded sweep');
  }
  markPareto(rows, f.objectives);
  const sum = (k: 'imagesEncoded' | 'imagesCached' | 'prepareSeconds' | 'simulateSeconds' | 'int8Runs' | 'imageRuns') => parts.reduce((a, p) => a + p.result.timing[k], 0);
  return {
    ...f, shard: { index: 1, count: 1 }, rows,
    timing: {
      imagesEncoded: sum('imagesEncoded'), imagesCached: sum('imagesCached'), prepareSeconds: sum('prepareSeconds'),
      simulateSeconds: sum('simulateSeconds'), int8Runs: sum('int8Runs'), imageRuns: sum('imageRuns'), threads: Math.max(...parts.map((p) => p.result.timing.threads)),
    },
  };
}
