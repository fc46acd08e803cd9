#!/usr/bin/env bash
# Digest sending throughput against Postfix's smtp-sink on loopback (a sink
# that is not itself the bottleneck; Python sinks top out near 200 msg/s).
# First end to end: `storyfeed digest` for SUBSCRIBERS subscribers with
# mixed followings (scripts/bench/digest_fixture.py: the shipped stories
# re-dated into October 2026), rendered, sent and recorded
# (fsync per message), once per connection count, with peak memory; then
# the transport alone: pre-built ~40 KB messages through `send_all`
# (examples/bench_smtp.rs).
#
#   scripts/bench-digest.sh   # SUBSCRIBERS=10000 STORIES=120 MESSAGES=10000 CONNECTIONS="1 4" PORT=2525
#
# With BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test the end
# to end runs are repeated with the store on that PostgreSQL server (a
# schema `storyfeed_bench`, made anew for each run and dropped at the
# end), with the server's committed transactions per digest.
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

# The server's committed transactions so far (BENCH_DATABASE_URL's database).
pg_commits() {
  psql "$BENCH_DATABASE_URL" -Atc \
    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
}

# digest_run WORK CONNECTIONS PORT [BACKEND]: one `storyfeed digest` run of
# the fixture in WORK to the sink, from a fresh state (BACKEND `sqlite`, the
# default, or `postgres`); prints the figures.
digest_run() {
  local work=$1 c=$2 port=$3 backend=${4:-sqlite}
  sed "s/CONNECTIONS/$c/" "$work/storyfeed.toml.in" >"$work/storyfeed.toml"
  rm -rf "$work/state"
  local db=() commits=
  if [ "$backend" = postgres ]; then
    psql "$BENCH_DATABASE_URL" -qc \
      "DROP SCHEMA IF EXISTS storyfeed_bench CASCADE; CREATE SCHEMA storyfeed_bench" 2>/dev/null
    local sep='?'
    case $BENCH_DATABASE_URL in *\?*) sep='&' ;; esac
    db=("STORYFEED_DATABASE_URL=$BENCH_DATABASE_URL${sep}options=-csearch_path%3Dstoryfeed_bench")
  fi
  sink_start "$port" "$work/sink.log"
  local start end out
  [ "$backend" = postgres ] && commits=$(pg_commits)
  start=$(date +%s.%N)
  out=$(env "${db[@]}" STORYFEED_SECRET=bench /usr/bin/time -f "%M" -o "$work/rss" \
    target/release/storyfeed digest --config "$work/storyfeed.toml" \
      --smtp "smtp://127.0.0.1:$port" --as-of 2026-11-02)
  end=$(date +%s.%N)
  sink_stop
  local sent
  sent=$(echo "$out" | sed -n 's/.*: \([0-9]*\) sent.*/\1/p')
  [ "$backend" = postgres ] && commits=$(($(pg_commits) - commits))
  python3 - "$sent" "$start" "$end" "$(cat "$work/rss")" "$c" "$backend" "$commits" <<'PY'
import sys
sent, start, end, rss, c, backend, commits = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
wall = end - start
line = f"  {backend}, {c} connection(s): {sent} digests sent in {wall:.2f} s = {sent / wall:.0f} msg/s; peak RSS {rss / 1024:.1f} MiB"
if commits:
    line += f"; {int(commits) / max(sent, 1):.2f} transactions per digest"
print(line)
PY
  echo "  smtp-sink counters: $(sink_counters "$work/sink.log")"
}

main() {
  cd "$(dirname "$0")/.."
  local messages=${MESSAGES:-10000} port=${PORT:-2525} connections=${CONNECTIONS:-"1 4"}
  local subscribers=${SUBSCRIBERS:-10000} stories=${STORIES:-120}
  # Global: the EXIT trap runs after main returns.
  work=$(mktemp -d "${TMPDIR:-/tmp}/storyfeed-digest.XXXXXX")
  trap 'sink_stop; rm -rf "$work"' EXIT

  sink_install
  cargo build --release --bin storyfeed --example bench_smtp --example render_digest

  echo "== storyfeed digest end to end: $subscribers subscribers (mixed followings), rendered and sent"
  target/release/storyfeed parse data/archives >"$work/stories.jsonl" 2>/dev/null
  python3 scripts/bench/digest_fixture.py "$work" "$subscribers" "$stories" "$work/stories.jsonl" "$PWD/data/taxonomy.toml"
  mv "$work/storyfeed.toml" "$work/storyfeed.toml.in"
  # Sizes of the digests, from a dry run (which renders and writes .eml files).
  sed "s/CONNECTIONS/1/" "$work/storyfeed.toml.in" >"$work/storyfeed.toml"
  STORYFEED_SECRET=bench target/release/storyfeed digest --config "$work/storyfeed.toml" \
    --dry-run --as-of 2026-11-02 --outbox "$work/outbox" 2>/dev/null | sed 's/^/  dry run: /'
  find "$work/outbox" -name '*.eml' -printf '%s\n' | python3 -c "
import sys; s = sorted(int(l) for l in sys.stdin)
print(f'  {len(s)} digests; bytes per message: mean {sum(s) // len(s)}, median {s[len(s) // 2]}, min {s[0]}, max {s[-1]}')"
  rm -rf "$work/outbox"
  local c
  for c in $connections; do
    digest_run "$work" "$c" "$port"
    if [ -n "${BENCH_DATABASE_URL:-}" ]; then
      digest_run "$work" "$c" "$port" postgres
    fi
  done
  if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    psql "$BENCH_DATABASE_URL" -qc "DROP SCHEMA IF EXISTS storyfeed_bench CASCADE" 2>/dev/null
  fi

  echo "== transport only: $messages pre-built messages through send_all (examples/bench_smtp.rs)"
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
