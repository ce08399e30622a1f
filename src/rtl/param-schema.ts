/**
 * Reads a block's hardware parameters from its TypeScript declaration (an interface whose fields
 * carry doc comments with @default, @min/@max, @allowed, @pow2). The generator, the CLI help and
 * the docs' parameter tables all come from this one reading, so they cannot disagree.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HwsimError } from '../errors.js';

export interface ParamField {
  /** TypeScript field name, also the template placeholder {{name}} */
  readonly name: string;
  /** Verilog parameter name (UpperCamelCase) */
  readonly verilogName: string;
  /** CLI flag without dashes (kebab-case) */
  readonly flag: string;
  readonly doc: string;
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly allowed?: readonly number[];
  readonly pow2: boolean;
}

/** The repository root (the directory holding package.json), from this module's location. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new HwsimError('cannot find the hwsim repository root', 'run hwsim from its checkout');
    dir = up;
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const upperCamel = (s: string) => s[0].toUpperCase() + s.slice(1);

export function readParamSchema(file: string, interfaceName: string): ParamField[] {
  // loaded on first use (~0.7 s): only the rtl/cosim/synth commands pay for it, not every hwsim run
  const { Project } = createRequire(import.meta.url)('ts-morph') as typeof import('ts-morph');
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  const sf = project.addSourceFileAtPath(file);
  const iface = sf.getInterface(interfaceName);
  if (!iface) throw new HwsimError(`${file} declares no interface ${interfaceName}`);
  return iface.getProperties().map((prop) => {
    const name = prop.getName();
    const doc = prop.getJsDocs()[0];
    if (!doc) throw new HwsimError(`parameter ${interfaceName}.${name} has no doc comment`);
    const tags = new Map(doc.getTags().map((t) => [t.getTagName(), (t.getCommentText() ?? '').trim()]));
    const num = (tag: string): number | undefined => {
      const v = tags.get(tag);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new HwsimError(`@${tag} of ${interfaceName}.${name} is not a number: ${v}`);
      return n;
    };
    const def = num('default');
    if (def === undefined) throw new HwsimError(`parameter ${interfaceName}.${name} has no @default`);
    const allowed = tags.get('allowed')?.split(/[\s,|]+/).filter(Boolean).map(Number);
    return {
      name,
      verilogName: upperCamel(name),
      flag: kebab(name),
      doc: doc.getDescription().trim().replace(/\s+/g, ' '),
      default: def,
      min: num('min'),
      max: num('max'),
      allowed,
      pow2: tags.has('pow2'),
    };
  });
}

let tansSchema: ParamField[] | undefined;

/** The schema of TansDecoderParams (src/chip/tans-decoder.ts), read once per process. */
export function tansDecoderSchema(): ParamField[] {
  tansSchema ??= readParamSchema(join(repoRoot(), 'src/chip/tans-decoder.ts'), 'TansDecoderParams');
  return tansSchema;
}

/** "32..4096, power of two" / "one of 32" — the range column of help and docs. */
export function describeRange(f: ParamField): string {
  if (f.allowed) return f.allowed.length === 1 ? `${f.allowed[0]} only` : `one of ${f.allowed.join(', ')}`;
  const parts: string[] = [];
  if (f.min !== undefined || f.max !== undefined) parts.push(`${f.min ?? ''}..${f.max ?? ''}`);
  if (f.pow2) parts.push('power of two');
  return parts.join(', ');
}

/** The markdown parameter table of docs/hw/<block>.md. */
export function schemaMarkdownTable(schema: readonly ParamField[]): string {
  const rows = schema.map((f) =>
    `| \`${f.name}\` | \`${f.verilogName}\` | \`--${f.flag}\` | ${f.default} | ${describeRange(f)} | ${f.doc} |`);
  return ['| field | Verilog | CLI | default | range | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
