/**
 * In-Verilog parameter checks, from the declaration: for every parameter a module declares under
 * its declared Verilog name, a generate-if on the same range the generator enforces, which stops
 * elaboration in every tool with a message naming the parameter and its range: an elaboration-time
 * `$fatal` under Verilator, `$error` elsewhere (Yosys; its 0.23 `$fatal` drops the message), and
 * under Icarus 11, which has no elaboration-time tasks, an instance of a module that does not exist
 * and whose name is the message (`tans_engine_bad_parameter__Streams_must_be_an_integer_1_to_64`).
 */
import { PARAMS } from './declaration.js';
import { describeAllowed, type ParamDecl } from './schema.js';

function badCondition(p: ParamDecl & { verilog: string }): string {
  const v = p.verilog;
  // an enum is the index of its choice in Verilog (verilogValue)
  if (p.type === 'enum') return `${v} < 0 || ${v} > ${p.choices.length - 1}`;
  if (p.type !== 'int') throw new Error(`Verilog parameter ${p.verilog} must be declared as an int or an enum`);
  const parts: string[] = [];
  if (p.choices) parts.push(p.choices.map((c) => `${v} != ${c}`).join(' && '));
  else parts.push(`${v} < ${p.min}`, `${v} > ${p.max}`);
  if (p.pow2) parts.push(`(${v} & (${v} - 1)) != 0`);
  if (p.multipleOf) parts.push(`${v} % ${p.multipleOf} != 0`);
  if (p.odd) parts.push(`${v} % 2 == 0`);
  return parts.join(' || ');
}

/** The name of the missing module a bad value instantiates: the message as a Verilog identifier. */
export function badParameterModule(module: string, message: string): string {
  return `${module}_bad_parameter__${message.replace(/\.\./g, ' to ').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}

/** A generate-if that stops every tool at elaboration when `condition` holds (see above). */
export function verilogParamCheck(module: string, name: string, condition: string, message: string): string {
  const text = `${module}: ${name} must be ${message}`;
  return [
    `    if (${condition}) begin : g_bad_${name}`,
    '`ifdef __ICARUS__',
    `      ${badParameterModule(module, `${name} must be ${message}`)} u_bad_parameter();`,
    '`elsif VERILATOR',
    `      $fatal(1, "${text}");`,
    '`else',
    `      $error("${text}");`,
    '`endif',
    '    end',
  ].join('\n');
}

/** What the Verilog parameter of `p` is for `value`: an int as it is, an enum's choice as its index. */
export function verilogValue(p: ParamDecl, value: unknown): number {
  if (p.type === 'enum') return p.choices.indexOf(String(value));
  if (typeof value !== 'number') throw new Error(`Verilog parameter ${p.verilog}: ${String(value)} is not a number`);
  return value;
}

/** The allowed values as the Verilog check words them (an enum: the indices of its choices). */
function verilogAllowed(p: ParamDecl): string {
  return p.type === 'enum' ? `0..${p.choices.length - 1} (${p.choices.map((c, i) => `${i} ${c}`).join(', ')})` : describeAllowed(p);
}

/** The check block of `module`, for the Verilog parameters it declares (in declaration order). */
export function verilogParamChecks(module: string, declared: readonly string[]): string {
  const ps = PARAMS.filter((p): p is ParamDecl & { verilog: string } => p.verilog !== undefined && declared.includes(p.verilog));
  if (ps.length === 0) return '';
  return [
    '  // parameter ranges from src/params/declaration.ts (the generator refuses the same values): a bad',
    '  // value stops elaboration in Verilator, Icarus and Yosys alike, naming the parameter and its range',
    '  generate',
    ...ps.map((p) => verilogParamCheck(module, p.verilog, badCondition(p), verilogAllowed(p))),
    '  endgenerate',
  ].join('\n');
}
