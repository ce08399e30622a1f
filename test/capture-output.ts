/** Captures what a command writes to stdout/stderr in each test (the CLI entry runs in process). */
import { afterEach, beforeEach, vi } from 'vitest';

export function captureOutput(): { readonly stdout: string; readonly stderr: string; clear(): void } {
  const out = { stdout: '', stderr: '', clear() { out.stdout = ''; out.stderr = ''; } };
  beforeEach(() => {
    out.clear();
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.stdout += String(s); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { out.stderr += String(s); return true; });
  });
  afterEach(() => vi.restoreAllMocks());
  return out;
}
