#!/usr/bin/env bash
# Times the packed K-quant (and Q4_0, Q8_0) kernels of one or more builds of libhearthk.so, in cache and from memory,
# 1 and 2 threads. Usage: bench/scripts/kquant_matvec.sh [OLD_LIB.so ...]; the build's own library comes last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/../../core/target/classes/native/linux-x86_64/libhearthk.so"
[ -f "$lib" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
exe="$(mktemp -d)/kquant_matvec"
cc -O2 -mf16c -o "$exe" "$here/kquant_matvec.c" -ldl -lpthread -lm
echo "load: $(cat /proc/loadavg)"
MODE=cache "$exe" "$@" "$lib"
MODE=mem "$exe" "$@" "$lib"
MODE=mem THREADS=2 "$exe" "$@" "$lib"
TOKENS=32 "$exe" "$@" "$lib"
echo "load: $(cat /proc/loadavg)"
