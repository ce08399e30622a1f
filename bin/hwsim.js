#!/usr/bin/env node
// Entry point: the CLI is compiled from src/cli by `npm ci` (prepare) or `npm run build`.
import { main } from '../dist/src/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
