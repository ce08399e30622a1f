#!/usr/bin/env node
// Entry point: the CLI is compiled from src/cli by `npm ci` (prepare) or `npm run build`.
import { main } from '../dist/src/cli/main.js';
// A reader that stops early (`hwsim run … | head`) closes the pipe: stop quietly, as other tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
