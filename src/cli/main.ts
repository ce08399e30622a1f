/**
 * hwsim command line. Each command lives in its own module (src/cli/cmd-*.ts) and is registered
 * here. Bad input surfaces as a HwsimError: printed as "error: ..." plus a fix, exit code 2.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { HwsimError } from '../errors.js';

/** A command module: registers itself on the yargs instance and sets the exit code. */
export interface CliCommand {
  register(y: Argv, setExit: (code: number) => void): Argv;
}

const commandModules: Array<() => Promise<CliCommand>> = [
  () => import('./cmd-encode.js').then((m) => m.command),
  () => import('./cmd-decode.js').then((m) => m.command),
  () => import('./cmd-inspect.js').then((m) => m.command),
  () => import('./cmd-zoo.js').then((m) => m.command),
  () => import('./cmd-run.js').then((m) => m.command),
  () => import('./cmd-config.js').then((m) => m.command),
  () => import('./cmd-rtl.js').then((m) => m.command),
  () => import('./cmd-cosim.js').then((m) => m.command),
  () => import('./cmd-synth.js').then((m) => m.command),
];

export async function main(args: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => { exitCode = code; };
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
    .fail((msg, err) => { throw err ?? new HwsimError(msg, 'see `hwsim <command> --help`'); });
  for (const load of commandModules) y = (await load()).register(y, setExit);
  try {
    await y.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  return exitCode;
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
