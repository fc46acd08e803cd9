#!/usr/bin/env bash
# Digest sending throughput against Postfix's smtp-sink on loopback (a sink
# that is not itself the bottleneck; Python sinks top out near 200 msg/s).
# For now: pre-rendered ~40 KB digests pushed through `send_all` by
# examples/bench_smtp.rs, once per connection count, with peak memory.
#
#   scripts/bench-digest.sh               # MESSAGES=10000 CONNECTIONS="1 4" PORT=2525
#
# smtp-sink comes from the Debian `postfix` package, unpacked (never
# installed, no mail service started) into $STORYFEED_BENCH_TOOLS
# (default ~/.cache/storyfeed-bench). The sink_* functions can be reused:
# `source scripts/bench-digest.sh` defines them without running anything.
set -euo pipefail

TOOLS=${STORYFEED_BENCH_TOOLS:-$HOME/.cache/storyfeed-bench}

# Sets SINK and SINK_LIBS, downloading and unpacking postfix if needed.
sink_install() {
  local root="$TOOLS/postfix"
  if [ ! -x "$root/usr/sbin/smtp-sink" ]; then
    mkdir -p "$TOOLS"
    rm -f "$TOOLS"/postfix_*.deb
    # apt-get download writes into the working directory.
    (cd "$TOOLS" && apt-get download postfix >/dev/null 2>&1) || {
      echo "bench-digest: apt-get download postfix failed (try apt-get update)" >&2
      return 1
    }
    dpkg -x "$TOOLS"/postfix_*.deb "$root"
  fi
  SINK="$root/usr/sbin/smtp-sink"
  # Its libpostfix-*.so live in the same package, outside the linker's path.
  SINK_LIBS="$root/usr/lib/postfix"
  if LD_LIBRARY_PATH="$SINK_LIBS" ldd "$SINK" | grep 'not found' >&2; then
    echo "bench-digest: smtp-sink is missing shared libraries (above)" >&2
    return 1
  fi
}

# sink_start PORT LOG: starts smtp-sink on 127.0.0.1:PORT, counters in LOG;
# sets SINK_PID once it accepts connections.
sink_start() {
  local port=$1 log=$2 user=()
  # As root it insists on dropping privileges.
  [ "$(id -u)" = 0 ] && user=(-u nobody)
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench-digest: 127.0.0.1:$port is already in use (set PORT)" >&2
    return 1
  fi
  LD_LIBRARY_PATH="$SINK_LIBS" "$SINK" "${user[@]}" -c "127.0.0.1:$port" 1000 >"$log" 2>&1 &
  SINK_PID=$!
  local _
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$SINK_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench-digest: smtp-sink did not start:" >&2
  cat "$log" >&2
  return 1
}

# Stops the sink started by sink_start.
sink_stop() {
  if [ -n "${SINK_PID:-}" ]; then
    kill "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=
  fi
}

# The last counter line smtp-sink printed (`-c`): sessions, QUITs, messages.
sink_counters() {
  tr '\r' '\n' <"$1" | grep -v '^$' | tail -n 1
}

main() {
  cd "$(dirname "$0")/.."
  local messages=${MESSAGES:-10000} port=${PORT:-2525} connections=${CONNECTIONS:-"1 4"}
  # Global: the EXIT trap runs after main returns.
  work=$(mktemp -d "${TMPDIR:-/tmp}/storyfeed-digest.XXXXXX")
  trap 'sink_stop; rm -rf "$work"' EXIT

  sink_install
  cargo build --release --example bench_smtp
  local c
  for c in $connections; do
    sink_start "$port" "$work/sink.log"
    /usr/bin/time -f "  peak RSS %M KiB, %e s wall, %U s user, %S s sys" \
      target/release/examples/bench_smtp --url "smtp://127.0.0.1:$port" \
      --messages "$messages" --connections "$c"
    sink_stop
    echo "  smtp-sink counters: $(sink_counters "$work/sink.log")"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
