/**
 * DeepSZ's error-bound optimizer: one error bound per layer, chosen so that the total bytes are
 * least while the accuracy losses, measured one layer at a time and taken as additive, stay within
 * a budget. Losses are integers (test samples lost), so the budget is a small integer B and a
 * dynamic program over it is exact:
 *
 *   best[0][b] = 0
 *   best[i+1][b] = min over candidates j of layer i with loss[i][j] ≤ b: best[i][b − loss[i][j]] + bytes[i][j]
 *
 * with a back-pointer per (layer, budget) to recover the choice. O(layers · B · candidates).
 * `bruteForce` enumerates every combination (the test oracle on small cases).
 */
import { check } from '../../errors.js';

export interface LayerCandidates {
  /** bytes of the layer at each candidate bound */
  bytes: readonly number[];
  /** accuracy loss at each candidate, in whole units (test samples); negative counts as 0 */
  loss: readonly number[];
}

export interface Choice {
  /** the chosen candidate of each layer, or null when no combination fits the budget */
  pick: number[] | null;
  bytes: number;
  loss: number;
}

const lossOf = (l: number) => Math.max(0, l);

function checkInput(layers: readonly LayerCandidates[], budget: number): void {
  check(Number.isInteger(budget) && budget >= 0, `loss budget ${budget} is not a whole number of units ≥ 0`, 'give the budget in test samples');
  for (const [i, l] of layers.entries()) {
    check(l.bytes.length > 0 && l.bytes.length === l.loss.length, `layer ${i}: ${l.bytes.length} sizes for ${l.loss.length} losses`, 'give one size and one loss per candidate');
    check(l.loss.every((x) => Number.isInteger(x)), `layer ${i}: losses must be whole units`, 'count losses in test samples');
  }
}

export function optimizeBounds(layers: readonly LayerCandidates[], budget: number): Choice {
  checkInput(layers, budget);
  const B = budget;
  let best = new Float64Array(B + 1); // layers so far, total loss ≤ b
  const back: Int32Array[] = [];
  for (const layer of layers) {
    const next = new Float64Array(B + 1).fill(Infinity);
    const arg = new Int32Array(B + 1).fill(-1);
    for (let b = 0; b <= B; b++) {
      for (let j = 0; j < layer.bytes.length; j++) {
        const l = lossOf(layer.loss[j]);
        if (l > b) continue;
        const total = best[b - l] + layer.bytes[j];
        if (total < next[b]) { next[b] = total; arg[b] = j; }
      }
    }
    back.push(arg);
    best = next;
  }
  if (!(best[B] < Infinity)) return { pick: null, bytes: Infinity, loss: Infinity };
  const pick = new Array<number>(layers.length);
  let b = B;
  for (let i = layers.length - 1; i >= 0; i--) {
    const j = back[i][b];
    pick[i] = j;
    b -= lossOf(layers[i].loss[j]);
  }
  return { pick, bytes: best[B], loss: pick.reduce((a, j, i) => a + lossOf(layers[i].loss[j]), 0) };
}

/** Every combination (candidates^layers): the oracle for small cases. */
export function bruteForce(layers: readonly LayerCandidates[], budget: number): Choice {
  checkInput(layers, budget);
  let bestPick: number[] | null = null;
  let bestBytes = Infinity;
  let bestLoss = Infinity;
  const pick = new Array<number>(layers.length).fill(0);
  const visit = (i: number, bytes: number, loss: number): void => {
    if (loss > budget) return;
    if (i === layers.length) {
      if (bytes < bestBytes) { bestBytes = bytes; bestLoss = loss; bestPick = [...pick]; }
      return;
    }
    for (let j = 0; j < layers[i].bytes.length; j++) {
      pick[i] = j;
      visit(i + 1, bytes + layers[i].bytes[j], loss + lossOf(layers[i].loss[j]));
    }
  };
  visit(0, 0, 0);
  return { pick: bestPick, bytes: bestBytes, loss: bestLoss };
}
