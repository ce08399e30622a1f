/**
 * In-Verilog parameter checks, from the declaration: for every parameter a module declares under
 * its declared Verilog name, an `initial if (bad) $fatal(...)` with the same range the generator
 * enforces. They sit in `ifndef SYNTHESIS: Icarus and Verilator run them, Yosys 0.23 cannot.
 */
import { PARAMS } from './declaration.js';
import { describeAllowed, type ParamDecl } from './schema.js';

function badCondition(p: ParamDecl & { verilog: string }): string {
  if (p.type !== 'int') throw new Error(`Verilog parameter ${p.verilog} must be declared as an int`);
  const v = p.verilog;
  const parts: string[] = [];
  if (p.choices) parts.push(p.choices.map((c) => `${v} != ${c}`).join(' && '));
  else parts.push(`${v} < ${p.min}`, `${v} > ${p.max}`);
  if (p.pow2) parts.push(`(${v} & (${v} - 1)) != 0`);
  if (p.multipleOf) parts.push(`${v} % ${p.multipleOf} != 0`);
  if (p.odd) parts.push(`${v} % 2 == 0`);
  return parts.join(' || ');
}

/** The check block of `module`, for the Verilog parameters it declares (in declaration order). */
export function verilogParamChecks(module: string, declared: readonly string[]): string {
  const ps = PARAMS.filter((p): p is ParamDecl & { verilog: string } => p.verilog !== undefined && declared.includes(p.verilog));
  if (ps.length === 0) return '';
  return [
    '`ifndef SYNTHESIS',
    '  // parameter ranges from src/params/declaration.ts (the generator refuses the same values)',
    ...ps.map((p) => `  initial if (${badCondition(p)})\n    $fatal(1, "${module}: ${p.verilog} must be ${describeAllowed(p)}");`),
    '`endif',
  ].join('\n');
}
