#!/usr/bin/env bash
# Packs the gpu module's tests (and the core test helpers they use) with JUnit's console launcher into .gputest/, for
# bench/scripts/gpu_session.sh on a GPU machine without Maven. Run after `mvn -B -DskipTests -pl gpu -am test-compile`.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
grep -qx '/.gputest/' .git/info/exclude 2>/dev/null || echo '/.gputest/' >> "$(git rev-parse --git-common-dir)/info/exclude"
rm -rf .gputest && mkdir -p .gputest/cp .gputest/server
version=$(sed -n 's:.*<junit.version>5\.\([0-9.]*\)</junit.version>.*:1.\1:p' pom.xml)
mvn -B -ntp -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$version \
    -DoutputDirectory=.gputest/cp
mvn -B -ntp -q dependency:copy -Dartifact=org.assertj:assertj-core:$(sed -n 's:.*<assertj.version>\(.*\)</assertj.version>.*:\1:p' pom.xml) \
    -DoutputDirectory=.gputest/cp
"$JAVA_HOME/bin/jar" cf .gputest/cp/gpu-tests.jar -C gpu/target/test-classes .
"$JAVA_HOME/bin/jar" cf .gputest/cp/core-tests.jar -C core/target/test-classes dev
# the server's VulkanServerTest (gpu_session.sh serve): its classes and the test-only jars it needs beyond the server's
"$JAVA_HOME/bin/jar" cf .gputest/server-tests.jar -C server/target/test-classes .
mvn -B -ntp -q dependency:copy -Dartifact=com.networknt:json-schema-validator:$(sed -n 's:.*<json-schema-validator.version>\(.*\)</json-schema-validator.version>.*:\1:p' pom.xml) \
    -DoutputDirectory=.gputest/server
mvn -B -ntp -q dependency:copy -Dartifact=com.ethlo.time:itu:1.14.0 -DoutputDirectory=.gputest/server
mv .gputest/server-tests.jar .gputest/server/
du -sh .gputest
