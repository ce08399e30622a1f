/** The docs' parameter tables, from the declaration (written into docs/ by `npm run gen`). */
import { PARAMS } from './declaration.js';
import { paramsOf } from './lookup.js';
import { defaultOf, describeAllowed, flagOf, keyOf, type Face, type ParamDecl } from './schema.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');
const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(row)].join('\n');
}

function flagExample(p: ParamDecl, face: Face): string {
  const flag = flagOf(p, face);
  if (flag === 'mac') return '`--mac 16x16`';
  const d = defaultOf(p, 'chip');
  return `\`--${flag}${d === undefined ? '' : ` ${d}`}\``;
}

/** docs/CHIP.md: the default chip. */
export function chipMarkdownTable(): string {
  return table(['field', 'default', 'unit', 'allowed', 'flag', 'meaning', 'why this default'],
    paramsOf('chip').map((p) => [keyOf(p, 'chip'), String(defaultOf(p, 'chip')), p.unit, describeAllowed(p), flagExample(p, 'run'), p.help, p.why ?? '']));
}

/** docs/hw/tans-decoder.md: the engine's Verilog parameters. */
export function engineMarkdownTable(): string {
  return table(['field', 'Verilog', 'CLI', 'default', 'range', 'meaning'],
    paramsOf('engine').map((p) => [`\`${keyOf(p, 'engine')}\``, `\`${p.verilog ?? ''}\``, `\`--${flagOf(p, 'rtl')}\``,
      String(defaultOf(p, 'engine')), describeAllowed(p), p.help]));
}

/** docs/hw/wm-query-unit.md: the query unit's Verilog parameters. */
export function wmEngineMarkdownTable(): string {
  return table(['field', 'Verilog', 'CLI', 'default', 'range', 'meaning'],
    paramsOf('wm').map((p) => [`\`${keyOf(p, 'wm')}\``, `\`${p.verilog ?? ''}\``, `\`--${flagOf(p, 'rtl')}\``,
      String(defaultOf(p, 'wm')), describeAllowed(p), p.help]));
}

/** docs/ARCHITECTURE.md: every parameter, where it is used and under which names. */
export function allParamsMarkdownTable(): string {
  return table(['name', 'type', 'default', 'allowed', 'unit', 'groups (key)', 'faces: flag', 'Verilog'],
    PARAMS.map((p) => {
      const defaults = [...new Set(p.groups.map((g) => String(defaultOf(p, g) ?? '—')))];
      const keys = p.groups.map((g) => (keyOf(p, g) === p.name ? g : `${g} (${keyOf(p, g)})`));
      const flags = new Map<string, Face[]>();
      for (const f of p.faces) flags.set(flagOf(p, f), [...(flags.get(flagOf(p, f)) ?? []), f]);
      const faceText = [...flags].map(([flag, fs]) => `${fs.join(', ')}: \`--${flag}\``).join('; ');
      return [`\`${p.name}\``, p.type === 'enum' ? 'enum' : p.type, defaults.join(' / '), describeAllowed(p), p.unit,
        keys.join(', '), faceText, p.verilog ? `\`${p.verilog}\`` : ''];
    }));
}
