#!/usr/bin/env bash
# What DKIM signing costs a real run: `storyfeed digest` for SUBSCRIBERS
# subscribers against Postfix's smtp-sink (the fixture and runner of
# scripts/bench-digest.sh) with signing off, with an Ed25519 key and with
# an RSA-2048 key, ROUNDS rounds with the configs alternating (the machine
# is shared), then the median msg/s and peak RSS of each; then the cost
# per message of signing alone (examples/bench_dkim.rs).
#
#   scripts/bench-dkim.sh   # SUBSCRIBERS=10000 STORIES=120 ROUNDS=3 CONNECTIONS=1 DKIM="off ed25519 rsa" PORT=(a free one)
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-digest.sh
source scripts/bench-digest.sh

# dkim_run WORK CONFIG CONNECTIONS PORT ROUND: one `storyfeed digest` run
# with WORK/storyfeed.toml.CONFIG from a fresh state; appends
# "config sent wall_s cpu_s rss_kib" to WORK/results and prints the run.
dkim_run() {
  local work=$1 cfg=$2 c=$3 port=$4 round=$5
  sed "s/CONNECTIONS/$c/" "$work/storyfeed.toml.$cfg" >"$work/storyfeed.toml"
  rm -rf "$work/state"
  sink_start "$port" "$work/sink.log"
  local start end out
  start=$(date +%s.%N)
  out=$(STORYFEED_SECRET=bench /usr/bin/time -f "%M %U %S" -o "$work/time" \
    target/release/storyfeed digest --config "$work/storyfeed.toml" \
      --smtp "smtp://127.0.0.1:$port" --as-of 2026-11-02)
  end=$(date +%s.%N)
  sink_stop
  local sent rss user sys
  sent=$(echo "$out" | sed -n 's/.*: \([0-9]*\) sent.*/\1/p')
  read -r rss user sys <"$work/time"
  [ -n "$sent" ] && [ "$sent" -gt 0 ] || { echo "bench-dkim: the $cfg run sent nothing: $out" >&2; return 1; }
  local wall cpu
  wall=$(python3 -c "print(f'{$end - $start:.2f}')")
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  echo "$cfg $sent $wall $cpu $rss" >>"$work/results"
  echo "  round $round, $cfg: $sent sent in $wall s ($(python3 -c "print(round($sent / $wall))") msg/s), CPU $cpu s, peak RSS $((rss / 1024)) MiB; smtp-sink: $(sink_counters "$work/sink.log")"
}

main_dkim() {
  local subscribers=${SUBSCRIBERS:-10000} stories=${STORIES:-120} rounds=${ROUNDS:-3}
  local c=${CONNECTIONS:-1} configs=${DKIM:-"off ed25519 rsa"} port=${PORT:-}
  # A free port unless told: another benchmark may hold 2525.
  [ -n "$port" ] || port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Global: the EXIT trap runs after this function returns.
  work=$(mktemp -d "${TMPDIR:-/tmp}/storyfeed-dkim.XXXXXX")
  trap 'sink_stop; rm -rf "$work"' EXIT

  sink_install
  cargo build --release --bin storyfeed --example bench_dkim

  target/release/storyfeed parse data/archives >"$work/stories.jsonl" 2>/dev/null
  python3 scripts/bench/digest_fixture.py "$work" "$subscribers" "$stories" "$work/stories.jsonl" "$PWD/data/taxonomy.toml"
  mv "$work/storyfeed.toml" "$work/storyfeed.toml.base"
  local cfg
  for cfg in $configs; do
    cp "$work/storyfeed.toml.base" "$work/storyfeed.toml.$cfg"
    [ "$cfg" = off ] && continue
    target/release/storyfeed dkim keygen --selector bench --domain example.org \
      --algorithm "$cfg" --out "$work/$cfg.pem" >/dev/null 2>&1
    # [digest] is the fixture's last table: these lines land in it.
    printf 'dkim_selector = "bench"\ndkim_domain = "example.org"\ndkim_key_file = "%s"\n' \
      "$work/$cfg.pem" >>"$work/storyfeed.toml.$cfg"
    sed "s/CONNECTIONS/$c/" "$work/storyfeed.toml.$cfg" >"$work/storyfeed.toml"
    echo "  $cfg: $(STORYFEED_SECRET=bench target/release/storyfeed doctor --no-dns \
      --config "$work/storyfeed.toml" | grep -E '^\S+ +dkim: ' | tr -s ' ')"
  done

  # Sizes of the digests, from a dry run without a key.
  sed "s/CONNECTIONS/1/" "$work/storyfeed.toml.base" >"$work/storyfeed.toml"
  STORYFEED_SECRET=bench target/release/storyfeed digest --config "$work/storyfeed.toml" \
    --dry-run --as-of 2026-11-02 --outbox "$work/outbox" >/dev/null 2>&1
  find "$work/outbox" -name '*.eml' -printf '%s\n' | python3 -c "
import sys; s = sorted(int(l) for l in sys.stdin)
print(f'  {len(s)} digests; bytes per message: mean {sum(s) // len(s)}, median {s[len(s) // 2]}, max {s[-1]}')"
  rm -rf "$work/outbox"

  echo "== storyfeed digest, $subscribers subscribers, $c connection(s), DKIM: $configs; $rounds rounds"
  : >"$work/results"
  local round
  for round in $(seq "$rounds"); do
    for cfg in $configs; do
      dkim_run "$work" "$cfg" "$c" "$port" "$round"
    done
  done
  python3 - "$work/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    cfg, sent, wall, cpu, rss = line.split()
    runs.setdefault(cfg, []).append((int(sent) / float(wall), float(cpu) * 1e6 / int(sent), int(rss) / 1024))
print("== medians (msg/s from wall time; CPU: user + sys of the run over the digests sent)")
base = statistics.median(c for _, c, _ in runs["off"]) if "off" in runs else None
for cfg, rs in runs.items():
    rate, cpu, rss = (statistics.median(x[i] for x in rs) for i in range(3))
    extra = f" ({cpu - base:+.0f} against off)" if base is not None and cfg != "off" else ""
    print(f"  {cfg:8} {rate:5.0f} msg/s (runs: {', '.join(f'{r:.0f}' for r, _, _ in rs)}); "
          f"CPU {cpu:.0f} µs a message{extra}; peak RSS {rss:.1f} MiB")
PY

  echo "== signing alone (examples/bench_dkim.rs)"
  target/release/examples/bench_dkim "${DKIM_ROUNDS:-500}"
}

main_dkim "$@"
