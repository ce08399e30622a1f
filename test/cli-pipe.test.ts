/**
 * The installed command behind a pipe whose reader stops early (`hwsim run … | head`): it stops
 * quietly with exit 0, not with an EPIPE stack trace. Runs bin/hwsim.js (the compiled CLI).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';

const bin = join(packageRoot(), 'bin', 'hwsim.js');

/** Runs the CLI with its stdout closed before it writes; resolves its exit code and stderr. */
function closedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('hwsim behind a closed pipe', () => {
  for (const args of [['zoo'], ['run', 'lenet5', '--no-cache']]) {
    it(`hwsim ${args.join(' ')}: exit 0, nothing on stderr`, async () => {
      const r = await closedReader(args);
      expect(r.stderr).not.toMatch(/EPIPE|Error/);
      expect(r.code).toBe(0);
    }, 120_000);
  }
});
