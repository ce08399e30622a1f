/**
 * A simulated cycle runs through a chain of small methods (the pipeline's steps, the decoder slot,
 * the engine's timing model, the DRAM reader's replay). V8's default inlining budget (460 bytecodes
 * per callee, 920 in all per optimized function) leaves many of those calls in place; a larger one
 * inlines them, and the same runs take 10 to 20 % less time (bench/sweep.ts, against a build
 * without it; inlining changes no figure). The flags are process-wide and read when a function is
 * optimized, so setting them as this module loads, before any run, covers every thread.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--max-inlined-bytecode-size=1500');
setFlagsFromString('--max-inlined-bytecode-size-cumulative=4000');
