#!/usr/bin/env bash
# Builds the native kernels (hearth_kernels.c, hearth_kernels_avx2.c, hearth_ops.c) into
# $1/native/linux-x86_64/libhearthk.so; run by Maven (core's pom).
# Where it cannot (another OS or CPU architecture, no C compiler, a compiler too old for the AVX-512 VNNI target),
# it says so and exits 0: the engine then runs its Vector API kernels (NativeKernels.status() tells which run).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/hearth_kernels.c"
src2="$here/hearth_kernels_avx2.c"
src3="$here/hearth_ops.c"
out="$1/native/linux-x86_64"
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "[hearth] native kernels not built: they are for linux-x86_64 only; the Java kernels will run"
  exit 0
fi
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[hearth] native kernels not built: no C compiler ($cc); the Java kernels will run"
  exit 0
fi
mkdir -p "$out"
if [ "$out/libhearthk.so" -nt "$src" ] && [ "$out/libhearthk.so" -nt "$src2" ] && [ "$out/libhearthk.so" -nt "$src3" ] \
    && [ "$out/libhearthk.so" -nt "$0" ]; then
  exit 0
fi
if "$cc" -O3 -fPIC -shared -Wall -Wextra -Werror -o "$out/libhearthk.so.tmp" "$src" "$src2" "$src3"; then
  mv "$out/libhearthk.so.tmp" "$out/libhearthk.so"
  echo "[hearth] native kernels built: $out/libhearthk.so"
else
  rm -f "$out/libhearthk.so.tmp"
  echo "[hearth] native kernels not built: $cc failed on $src $src2 $src3; the Java kernels will run"
fi
exit 0
