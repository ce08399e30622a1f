/**
 * A simulated cycle runs through a chain of small methods (the pipeline's steps, the decoder slot,
 * the engine's timing model, the DRAM reader's replay). V8's default inlining budget (460 bytecodes
 * per callee, 920 in all per optimized function) leaves many of those calls in place; a larger one
 * inlines them. Over the hundreds of runs of a sweep that takes 15 to 20 % off the same runs; a
 * single `hwsim run` is too short to win back the longer compiles (it was 15 % slower), so only a
 * sweep raises it. Inlining changes no figure. The flags are process-wide and read when a function
 * is optimized, so raising them before the sweep starts its workers covers every thread.
 */
import { setFlagsFromString } from 'node:v8';

let raised = false;

export function raiseInliningBudget(): void {
  if (raised) return;
  raised = true;
  setFlagsFromString('--max-inlined-bytecode-size=1500');
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=4000');
}
