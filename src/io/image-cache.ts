/**
 * A content-addressed cache of encoded images on disk, shared by every sweep (and every process of
 * a sharded one): quantization and encoding depend on the model's weights and the codec settings,
 * not on the chip, so an image is encoded once and run on every chip point.
 *
 * The key is a SHA-256 of the model (name, layer geometry, every weight's bits), the codec settings
 * and a fingerprint of the encoder's own code (every file under src/codecs as it runs), so a changed
 * encoder never reuses an old image. A cached file is an ordinary .hwz: it is read back with every
 * container check (CRCs, lengths) and verified by decoding before it is used, like any input; what
 * that decode found is kept beside it (`<key>.verdict`, image-verdict.ts), so that a later run
 * checks the CRCs and takes the rest from the verdict instead of decoding every weight again.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Model } from '../models/types.js';
import { writeOutput, ensureDirectory } from './output.js';

let fingerprint: string | undefined;

/** A hash of the encoder's code: every file under the codecs directory this process runs from. */
export function encoderFingerprint(): string {
  if (fingerprint) return fingerprint;
  const root = fileURLToPath(new URL('../codecs/', import.meta.url));
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|ts)$/.test(name)) h.update(name).update(readFileSync(path));
    }
  };
  walk(root);
  return (fingerprint = h.digest('hex'));
}

/**
 * A hash of what the encoder reads of a model: its name, each layer's geometry and weights (for
 * weights drawn from a seed, their recipe: the generator's code and the seed, without drawing them).
 */
export function modelDigest(model: Model): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ name: model.name, layers: model.layers.map((l) => l.spec), weightRecipe: model.weightRecipe }));
  if (model.weightRecipe === undefined) {
    for (const l of model.layers) h.update(new Uint8Array(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength));
  }
  return h.digest('hex');
}

export function imageKey(model: string, codec: Readonly<Record<string, unknown>>): string {
  const settings = Object.fromEntries(Object.entries(codec).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ model, settings, encoder: encoderFingerprint() })).digest('hex');
}

/** The default cache directory: $XDG_CACHE_HOME/hwsim/images, else ~/.cache/hwsim/images. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'hwsim', 'images');
}

export class ImageCache {
  constructor(readonly dir: string) {}

  pathOf(key: string): string {
    return join(this.dir, `${key}.hwz`);
  }

  get(key: string): Uint8Array | undefined {
    return readIfThere(this.pathOf(key));
  }

  put(key: string, bytes: Uint8Array): void {
    ensureDirectory(this.dir);
    writeOutput(this.pathOf(key), bytes);
  }

  /**
   * What verifying the image under `key` found (image-verdict.ts), if it was kept; read into the
   * end of a buffer twice its size: readVerdict unpacks its step bits into the room in front,
   * touching no other fresh memory (where page faults are dear, as on small VMs, a 25 MB unpack
   * into new memory costs ~0.2 s).
   */
  getVerdict(key: string): Uint8Array | undefined {
    const path = join(this.dir, `${key}.verdict`);
    if (!existsSync(path)) return undefined;
    const size = statSync(path).size;
    const room = Buffer.allocUnsafe(2 * size);
    const fd = openSync(path, 'r');
    try {
      let at = 0;
      while (at < size) {
        const n = readSync(fd, room, size + at, size - at, at);
        if (n === 0) return undefined; // cut short while reading
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    return new Uint8Array(room.buffer, room.byteOffset + size, size);
  }

  putVerdict(key: string, verdict: Uint8Array): void {
    ensureDirectory(this.dir);
    writeOutput(join(this.dir, `${key}.verdict`), verdict);
  }
}

function readIfThere(path: string): Uint8Array | undefined {
  if (!existsSync(path)) return undefined;
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.length); // a view: copying 10 MB element by element costs ~50 ms
}
