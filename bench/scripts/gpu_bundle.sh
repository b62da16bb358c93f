#!/usr/bin/env bash
# Packs what a GPU machine without Java needs to run Hearth's Vulkan backend into .gpurun/ (git-ignored through
# .git/info/exclude, under the device tool's 64 MiB): a jlink runtime (xz-compressed), the built jars and the Vulkan
# loader's .deb; the models are made there by 'hearth synth'. Run it here, after
# `mvn -B -DskipTests package`; then on the device machine, with `.gpurun` carried:
#   bash bench/scripts/gpu_session.sh setup   (and its other phases: see that script)
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=.gpurun
grep -qx '/.gpurun/' .git/info/exclude 2>/dev/null || echo '/.gpurun/' >> "$(git rev-parse --git-common-dir)/info/exclude"
rm -rf "$out" && mkdir -p "$out/lib" "$out/debs"
cp server/target/hearth-server.jar "$out/"
cp server/target/lib/*.jar "$out/lib/"
# sqlite-jdbc carries natives for every OS: keep linux x86-64's only (the bundle must stay small)
(cd "$out/lib" && zip -q -d sqlite-jdbc-*.jar 'org/sqlite/native/Windows/*' 'org/sqlite/native/Mac/*' \
    'org/sqlite/native/FreeBSD/*' 'org/sqlite/native/Linux-Android/*' 'org/sqlite/native/Linux-Musl/*' \
    'org/sqlite/native/Linux/aarch64/*' 'org/sqlite/native/Linux/arm*' 'org/sqlite/native/Linux/x86/*' \
    'org/sqlite/native/Linux/ppc64/*' 'org/sqlite/native/Linux/riscv64/*' >/dev/null || true)
# the modules the server needs (java.desktop: java.beans for jinjava), uncompressed and without native debug
# symbols so that xz packs the runtime to about 25 MiB
rm -rf /tmp/hearth-jre
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.net.http,java.sql,java.management,java.naming,\
java.xml,java.desktop,jdk.unsupported,jdk.crypto.ec,jdk.incubator.vector \
    --strip-java-debug-attributes --strip-native-debug-symbols=exclude-debuginfo-files --no-header-files --no-man-pages \
    --output /tmp/hearth-jre
tar cJf "$out/jre.tar.xz" -C /tmp hearth-jre
rm -rf /tmp/hearth-jre
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update -q >/dev/null
# the loader, and glvnd: NVIDIA's Vulkan driver (libGLX_nvidia) needs libGLdispatch, which the GPU machine lacks
(cd "$out/debs" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
du -sh "$out" "$out"/*
