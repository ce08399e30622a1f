/**
 * Pareto fronts over a sweep's rows: a point is on the front when no other point is at least as
 * good in every objective and better in one. Every objective is minimised.
 */
import { HwsimError } from '../errors.js';
import type { PointFigures, SweepRow } from './row.js';

/** Objective names a user gives (`--objectives latency,memory,traffic`) and the figure each minimises. */
export const OBJECTIVES: Readonly<Record<string, keyof PointFigures>> = {
  latency: 'latency_cycles',
  memory: 'onchip_bytes',
  traffic: 'dram_bytes',
  bandwidth: 'peak_window_bandwidth',
  area: 'decoder_lc_estimate',
  bits: 'bits_per_weight',
  stalls: 'stall_cycles',
  energy: 'energy_uj',
  edp: 'edp_js',
};

export const DEFAULT_OBJECTIVES = ['latency', 'memory', 'traffic'] as const;

export function parseObjectives(list: readonly string[]): string[] {
  const out = list.map((s) => s.trim()).filter((s) => s !== '');
  if (out.length === 0) throw new HwsimError('no objectives given', `name one or more of: ${Object.keys(OBJECTIVES).join(', ')}`);
  for (const o of out) {
    if (!(o in OBJECTIVES)) throw new HwsimError(`unknown objective "${o}"`, `the objectives are: ${Object.keys(OBJECTIVES).join(', ')}`);
  }
  if (new Set(out).size !== out.length) throw new HwsimError(`an objective is named twice in ${out.join(',')}`, 'name each once');
  return out;
}

/** The value a row minimises for an objective; a missing figure (no tANS engine: no area) counts as 0. */
function value(r: SweepRow, objective: string): number {
  return r.figures[OBJECTIVES[objective]] ?? 0;
}

/** a dominates b: no worse in every objective, better in one. */
export function dominates(a: SweepRow, b: SweepRow, objectives: readonly string[]): boolean {
  let better = false;
  for (const o of objectives) {
    const x = value(a, o);
    const y = value(b, o);
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Sets `pareto` on every row. Rows are sorted lexicographically by the objectives, so a point that
 * dominates another comes before it; each row is then checked against the front found so far (a
 * dominated dominator is itself dominated by an earlier front point). Equal points are all kept.
 */
export function markPareto(rows: SweepRow[], objectives: readonly string[]): void {
  const lex = (a: SweepRow, b: SweepRow) => {
    for (const o of objectives) {
      const d = value(a, o) - value(b, o);
      if (d !== 0) return d;
    }
    return a.index - b.index;
  };
  const front: SweepRow[] = [];
  for (const r of [...rows].sort(lex)) {
    r.pareto = !front.some((f) => dominates(f, r, objectives));
    if (r.pareto) front.push(r);
  }
}
