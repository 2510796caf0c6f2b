# Sourced by scripts/bench.sh, bench-ab.sh and bench-profile.sh, not run: how they stop what they started.
#
# stop_pids: stops the processes whose pids are in the caller's `pids` array, and only those (never by
# name: the machine is shared, and another run's servers must survive ours). Each gets SIGTERM first so a
# JVM or nginx can shut down cleanly, then up to 5 s to go before SIGKILL, so that a stuck one cannot hold
# the script's exit. Going means reaped: bash reaps its exited children itself, and kill -0 fails from then.
# ${pids[@]+...} because bash before 4.4 calls an empty array unbound under set -u.
stop_pids() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
