/**
 * hwsim command line. Each command lives in its own module (src/cli/cmd-*.ts) and is registered
 * here. Bad input surfaces as a HwsimError: printed as "error: ..." plus a fix, exit code 2.
 *
 * Before any command runs, every option written on the command line is checked against what the
 * command declares (checkWrittenOptions): a scalar option given twice, an option left without a
 * value, a word for a number and a value for a flag are refused by name, so no command sees an
 * array where it expects one value, or '' (or yargs' 0 for '') where it expects a number.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';

/** A command module: registers itself on the yargs instance and sets the exit code. */
export interface CliCommand {
  register(y: Argv, setExit: (code: number) => void): Argv;
}

/**
 * The commands by name, each loaded on demand: a command line naming one loads only its module
 * (a command's dependencies, e.g. the ONNX reader or the plotter, cost start-up time); help, a
 * version query or a mistyped command load them all.
 */
const commandModules: ReadonlyArray<[string, () => Promise<CliCommand>]> = [
  ['encode', () => import('./cmd-encode.js').then((m) => m.command)],
  ['decode', () => import('./cmd-decode.js').then((m) => m.command)],
  ['inspect', () => import('./cmd-inspect.js').then((m) => m.command)],
  ['zoo', () => import('./cmd-zoo.js').then((m) => m.command)],
  ['run', () => import('./cmd-run.js').then((m) => m.command)],
  ['config', () => import('./cmd-config.js').then((m) => m.command)],
  ['rtl', () => import('./cmd-rtl.js').then((m) => m.command)],
  ['cosim', () => import('./cmd-cosim.js').then((m) => m.command)],
  ['synth', () => import('./cmd-synth.js').then((m) => m.command)],
  ['sweep', () => import('./cmd-sweep.js').then((m) => m.command)],
  ['plot', () => import('./cmd-plot.js').then((m) => m.command)],
  ['eval', () => import('./cmd-eval.js').then((m) => m.command)],
  ['deepsz', () => import('./cmd-deepsz.js').then((m) => m.command)],
];

/** What yargs' getOptions() holds for the command being parsed (the parts read here). */
interface YargsOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  number: string[];
  string: string[];
  array: string[];
  count: string[];
  choices: Record<string, unknown[]>;
  default: Record<string, unknown>;
  demandedOptions: Record<string, unknown>;
}

/** One option of a command, as the command declares it to yargs. */
export interface DeclaredOption {
  name: string;
  type: 'boolean' | 'number' | 'string' | 'array' | 'count';
  /** for array options: the element type */
  element?: 'number' | 'string';
  choices?: readonly string[];
  aliases: string[];
  /** the default yargs fills in, if the option has one there */
  default?: unknown;
  /** the command cannot run without it */
  demanded: boolean;
}

const BUILT_IN = new Set(['help', 'version']);
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The options yargs knows for the command being parsed (built-ins and positionals left out). */
function optionsOf(o: YargsOptions): DeclaredOption[] {
  // yargs lists an alias as a key of its own: keep the first-declared name of each alias set
  const covered = new Set<string>();
  const names: string[] = [];
  for (const k of Object.keys(o.key)) {
    if (BUILT_IN.has(k) || covered.has(k)) continue;
    names.push(k);
    for (const a of o.alias[k] ?? []) covered.add(a);
  }
  return names.map((name): DeclaredOption => {
    const isArray = o.array.includes(name);
    const base = o.boolean.includes(name) ? 'boolean' : o.count.includes(name) ? 'count' : o.number.includes(name) ? 'number' : 'string';
    const choices = o.choices[name]?.map(String);
    const dflt = o.default[name];
    return {
      name,
      type: isArray ? 'array' : base,
      ...(isArray ? { element: base === 'number' ? 'number' : 'string' } : {}),
      ...(choices ? { choices } : {}),
      aliases: (o.alias[name] ?? []).filter((a) => a !== name),
      demanded: name in o.demandedOptions,
      ...(dflt !== undefined && !Array.isArray(dflt) && typeof dflt !== 'boolean' ? { default: dflt } : {}),
    } as DeclaredOption;
  });
}

/** yargs-parser's own test of a negative number written as a separate value (`--seed -1`, not `-1e3`). */
const looksLikeNumber = (s: string) => /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/.test(s);
/** A token that yargs reads as an option (not as a value): `--x`, `-x`; a negative number is a value. */
const isFlagToken = (s: string) => s.length > 1 && s.startsWith('-') && !looksLikeNumber(s);

/**
 * Checks every option written in `args` against the options the command declares. Throws a
 * HwsimError naming the option for: a scalar option given twice (also through an alias), an
 * option with no value (`--x ''`, `--x` last or followed by another option), a value that is not a
 * number for a number option, and a value other than true/false for a flag (`--json=abc`).
 */
export function checkWrittenOptions(args: readonly string[], declared: readonly DeclaredOption[]): void {
  const bySpelling = new Map<string, DeclaredOption>();
  for (const d of declared) {
    for (const n of [d.name, ...d.aliases]) {
      bySpelling.set(n, d);
      bySpelling.set(kebab(n), d);
    }
  }
  const seen = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const tok = args[i];
    if (tok === '--') break;
    if (!isFlagToken(tok)) continue;
    const body = tok.replace(/^--?/, '');
    if (!tok.startsWith('--') && body.length > 1) continue; // a group of one-letter flags (-qv): yargs' business
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    let d = bySpelling.get(name);
    let negated = false;
    if (!d && name.startsWith('no-')) {
      d = bySpelling.get(name.slice(3));
      negated = d?.type === 'boolean';
      if (!negated) d = undefined;
    }
    if (!d) continue; // unknown options: strict mode reports them
    const written = tok.startsWith('--') ? `--${name}` : `-${name}`;
    const flag = `--${kebab(d.name)}`;
    if (d.type === 'boolean' || d.type === 'count') {
      if (inline !== undefined && !/^(true|false)$/.test(inline)) {
        throw new HwsimError(`${written}=${inline}: ${flag} is a switch, it takes no value`,
          `write ${flag} alone (or --no-${kebab(d.name)}), or ${flag}=true / ${flag}=false`);
      }
      if (negated && inline !== undefined) {
        throw new HwsimError(`${written}=${inline}: --no-${kebab(d.name)} takes no value`, `write --no-${kebab(d.name)} alone`);
      }
      continue; // a switch given twice says the same thing twice
    }
    // the values yargs takes for this option: the inline one, or the next token(s)
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else {
      for (let j = i + 1; j < args.length && !isFlagToken(args[j]) && args[j] !== '--'; j++) {
        values.push(args[j]);
        i = j;
        if (d.type !== 'array') break;
      }
    }
    const numeric = d.type === 'number' || d.element === 'number';
    const what = d.choices ? `one of ${d.choices.join(', ')}` : numeric ? 'a number' : 'a value';
    const orLeave = d.default !== undefined ? `, or leave it out for the default ${String(d.default)}` : d.demanded ? '' : ', or leave it out';
    const next = args[i + 1];
    if (values.length === 0 && inline === undefined && next !== undefined && next !== '--' && Number.isFinite(Number(next))) {
      throw new HwsimError(`${written} needs a value: ${next} is read as options, as it starts with "-"`, `write ${flag}=${next}`);
    }
    if (values.length === 0 || values.some((v) => v.trim() === '')) {
      throw new HwsimError(`${written} needs a value${values.length ? ' (it was given an empty one)' : ''}`, `give ${flag} ${what}${orLeave}`);
    }
    if (numeric) {
      const bad = values.find((v) => !Number.isFinite(Number(v)));
      if (bad !== undefined) throw new HwsimError(`${written} ${JSON.stringify(bad)} is not a number`, `give ${flag} ${what}${orLeave}`);
    }
    const choices = d.choices;
    if (choices) {
      const bad = values.find((v) => !choices.includes(v));
      if (bad !== undefined) throw new HwsimError(`${written} ${JSON.stringify(bad)} is not allowed: ${what}`, `give ${flag} ${what}${orLeave}`);
    }
    if (d.type !== 'array') {
      const before = seen.get(d.name);
      if (before !== undefined) {
        throw new HwsimError(`${flag} given twice (${before}, ${written} ${values[0]})`,
          `give ${flag} once`);
      }
      seen.set(d.name, `${written} ${values[0]}`);
    }
  }
}

/** A middleware that reads the parser (yargs passes it as the second argument; @types/yargs 17 omits it). */
function withParser(f: (yy: { getOptions(): unknown }) => void): (argv: unknown) => void {
  return ((_argv: unknown, yy: { getOptions(): unknown }) => f(yy)) as unknown as (argv: unknown) => void;
}

function buildParser(args: string[], setExit: (code: number) => void, modules: CliCommand[]): Argv {
  let y = yargs(args)
    .scriptName('hwsim')
    .usage('hwsim: simulate and generate RTL for edge inference chips that decode compressed weights on chip\n\nUsage: $0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command (see the list above)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => { throw err ?? new HwsimError(msg, 'see `hwsim <command> --help`'); })
    // before yargs validates choices and before any handler: the written options, by name
    .middleware(withParser((yy) => checkWrittenOptions(args, optionsOf(yy.getOptions() as unknown as YargsOptions))), true);
  for (const m of modules) y = m.register(y, setExit);
  if (!args.includes('--help') && !args.includes('-h')) skipHelpLayout(y);
  return y;
}

/**
 * yargs lays out the whole help text after every command's handler, in case it is shown later
 * (~50 ms of a 1.5 s run); a command line that does not ask for help never shows it. Reaches into
 * yargs' usage object, so it does nothing where that is not there.
 */
function skipHelpLayout(y: Argv): void {
  const usage = (y as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

async function loadModules(): Promise<CliCommand[]> {
  return Promise.all(commandModules.map(([, load]) => load()));
}

/** The module of the command `args` names, alone; all of them when it names none. */
async function modulesFor(args: readonly string[]): Promise<CliCommand[]> {
  const named = commandModules.find(([name]) => name === args[0]);
  return named ? [await named[1]()] : loadModules();
}

export async function main(args: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => { exitCode = code; };
  const y = buildParser(args, setExit, await modulesFor(args));
  try {
    await y.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  return exitCode;
}

/**
 * Every command and the options it declares, read from yargs itself (each command's builder runs
 * on a parser that stops before the handler): for tests and docs that must cover every option.
 */
export async function declaredOptions(): Promise<Array<{ command: string; positionals: string[]; options: DeclaredOption[] }>> {
  const modules = await loadModules();
  type Handler = { demanded: Array<{ cmd: string[] }>; optional: Array<{ cmd: string[] }> };
  const commands = (buildParser([], () => undefined, modules) as unknown as {
    getInternalMethods(): { getCommandInstance(): { getCommands(): string[]; handlers: Record<string, Handler> } };
  }).getInternalMethods().getCommandInstance();
  const out: Array<{ command: string; positionals: string[]; options: DeclaredOption[] }> = [];
  for (const command of commands.getCommands()) {
    const h = commands.handlers[command];
    const positionals = [...h.demanded, ...h.optional].flatMap((p) => p.cmd);
    let options: DeclaredOption[] | undefined;
    const stop = new Error('stop');
    // placeholders for the positionals (yargs counts them before any middleware runs)
    const y = buildParser([command, ...h.demanded.map(() => 'positional')], () => undefined, modules)
      .middleware(withParser((yy) => { options = optionsOf(yy.getOptions() as unknown as YargsOptions); throw stop; }), true);
    try {
      await y.parseAsync();
    } catch (err) {
      if (err !== stop && !options) throw err;
    }
    if (!options) throw new Error(`internal: no options read for ${command}`);
    out.push({ command, positionals, options: options.filter((o) => !positionals.includes(o.name)) });
  }
  return out;
}

function reportError(err: unknown): number {
  if (err instanceof HwsimError) {
    process.stderr.write(`hwsim: error: ${err.message}\n`);
    if (err.fix) process.stderr.write(`  fix: ${err.fix}\n`);
    return 2;
  }
  process.stderr.write(`hwsim: internal error (please report): ${err instanceof Error ? err.stack : String(err)}\n`);
  return 70;
}
