#!/usr/bin/env bash
# Builds .cache/fse-ref/fse_size: bench/fse-ref/fse_size.c linked against zstd's FSE sources
# (lib/common + lib/compress of a zstd checkout, which stays outside the project).
#
#   bash bench/fse-ref/build.sh <zstd checkout>      # or: ZSTD_SRC=<zstd checkout> bash bench/fse-ref/build.sh
#
# <zstd checkout> is a directory holding lib/common/fse.h (a clone or an unpacked release), or a
# bare git directory of zstd, whose HEAD:lib is then unpacked into .cache/zstd-src first.
# Compiler: $CC (default cc). Output: .cache/fse-ref/fse_size (the project's .cache/ is gitignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
zstd="${1:-${ZSTD_SRC:-}}"
if [[ -z "$zstd" ]]; then
  echo "error: no zstd checkout given" >&2
  echo "  fix: bash bench/fse-ref/build.sh <path to a zstd checkout>  (e.g. git clone --depth 1 https://github.com/facebook/zstd /tmp/zstd), or set ZSTD_SRC" >&2
  exit 2
fi
if [[ ! -f "$zstd/lib/common/fse.h" ]]; then
  if git --git-dir="$zstd" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    rm -rf "$root/.cache/zstd-src"
    mkdir -p "$root/.cache/zstd-src"
    git --git-dir="$zstd" archive HEAD lib | tar -x -C "$root/.cache/zstd-src"
    echo "unpacked lib/ of $zstd (HEAD $(git --git-dir="$zstd" rev-parse --short HEAD)) into .cache/zstd-src"
    zstd="$root/.cache/zstd-src"
  else
    echo "error: '$zstd' has no lib/common/fse.h and is not a git directory" >&2
    echo "  fix: give the top directory of a zstd source tree (the one holding lib/)" >&2
    exit 2
  fi
fi

lib="$zstd/lib"
sources=(
  "$lib/common/entropy_common.c" "$lib/common/fse_decompress.c" "$lib/common/error_private.c" "$lib/common/debug.c"
  "$lib/compress/fse_compress.c" "$lib/compress/hist.c"
)
for f in "${sources[@]}"; do
  [[ -f "$f" ]] || { echo "error: $f is missing; this zstd tree lacks the FSE sources" >&2; exit 2; }
done

mkdir -p "$root/.cache/fse-ref"
out="$root/.cache/fse-ref/fse_size"
"${CC:-cc}" -O2 -std=c99 -Wall -Wextra \
  -I"$lib" -I"$lib/common" -I"$lib/compress" \
  -o "$out" "$root/bench/fse-ref/fse_size.c" "${sources[@]}"
echo "built $out ($("${CC:-cc}" --version | head -n 1); zstd $(sed -n 's/^#define ZSTD_VERSION_\(MAJOR\|MINOR\|RELEASE\) *\([0-9]*\).*/\2/p' "$lib/zstd.h" | paste -sd.))"

# smoke test: a small skewed source must round-trip (fse_size verifies by decompressing)
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
printf '\0\0\0\1\0\0\2\0\0\1\0\0\0\3\0\0\1\0\2\0%.0s' {1..200} > "$tmp"
"$out" "$tmp" 6 >/dev/null
echo "smoke test passed: $out $tmp 6"
