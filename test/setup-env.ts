/**
 * Every test process gets its own cache directory, so that no test reads or writes the user's
 * ~/.cache/hwsim (hwsim run and hwsim sweep keep encoded images there by default).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'hwsim-test-cache-'));
