# Shared by the bench/run-*.sh scripts (sourced from the project root).

# Builds fmi-core, fmi-tcpunch and the Direct channel's test classes; sets CP to run the benchmark classes.
# Uses the Maven wrapper, so a fresh clone needs no Maven installed; MVN_ARGS="-Dmaven.repo.local=..."
# keeps the build's artifacts out of the shared local repository.
bench_classpath() {
  ./mvnw -q -B -ntp ${MVN_ARGS:-} -pl fmi-core,fmi-tcpunch install -DskipTests -Dinvoker.skip -Dmaven.javadoc.skip
  ./mvnw -q -B -ntp ${MVN_ARGS:-} -pl fmi-channels/direct test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/direct-bench-classpath.txt -Dmdep.includeScope=test
  local d=fmi-channels/direct/target
  CP="$d/test-classes:$d/classes:$(cat $d/direct-bench-classpath.txt)"
}

# CC=<name>: runs under that TCP congestion control (root), restoring the previous one on exit.
bench_congestion_control() {
  CC_BEFORE=$(sysctl -n net.ipv4.tcp_congestion_control 2>/dev/null || echo unknown)
  if [ -n "${CC:-}" ] && [ "$CC" != "$CC_BEFORE" ]; then
    sysctl -qw net.ipv4.tcp_congestion_control="$CC"
    trap 'sysctl -qw net.ipv4.tcp_congestion_control="$CC_BEFORE"' EXIT
  fi
}
