#!/usr/bin/env bash
# What DKIM signing costs a real run: `storyfeed digest` for SUBSCRIBERS
# subscribers against Postfix's smtp-sink (the fixture and runner of
# scripts/bench-digest.sh) with signing off, with an Ed25519 key and with
# an RSA-2048 key, ROUNDS rounds with the configs alternating (the machine
# is shared), then the median msg/s and peak RSS of each; then the cost
# per message of signing alone (examples/bench_dkim.rs).
#
#   scripts/bench-dkim.sh   # SUBSCRIBERS=10000 STORIES=120 ROUNDS=3 CONNECTIONS=1 DKIM="off ed25519 rsa" PORT=2525
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-digest.sh
source scripts/bench-digest.sh

main_dkim() {
  local subscribers=${SUBSCRIBERS:-10000} stories=${STORIES:-120} rounds=${ROUNDS:-3}
  local c=${CONNECTIONS:-1} port=${PORT:-2525} configs=${DKIM:-"off ed25519 rsa"}
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

  echo "== storyfeed digest, $subscribers subscribers, $c connection(s), DKIM: $configs; $rounds rounds"
  : >"$work/results"
  local round line
  for round in $(seq "$rounds"); do
    for cfg in $configs; do
      cp "$work/storyfeed.toml.$cfg" "$work/storyfeed.toml.in"
      line=$(digest_run "$work" "$c" "$port" | head -n 1)
      echo "  round $round, $cfg:${line#*:}"
      echo "$cfg $line" >>"$work/results"
    done
  done
  python3 - "$work/results" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    cfg = line.split()[0]
    rate = float(re.search(r"= (\d+) msg/s", line).group(1))
    rss = float(re.search(r"peak RSS ([\d.]+) MiB", line).group(1))
    runs.setdefault(cfg, []).append((rate, rss))
print("== medians")
base = statistics.median(r for r, _ in runs.get("off", [(0, 0)]))
for cfg, rs in runs.items():
    rate = statistics.median(r for r, _ in rs)
    rss = statistics.median(m for _, m in rs)
    extra = ""
    if cfg != "off" and base and rate:
        extra = f"; {1e6 / rate - 1e6 / base:+.0f} µs a message against off"
    print(f"  {cfg:8} {rate:6.0f} msg/s (runs: {', '.join(f'{r:.0f}' for r, _ in rs)}); peak RSS {rss:.1f} MiB{extra}")
PY

  echo "== signing alone (examples/bench_dkim.rs)"
  target/release/examples/bench_dkim "${DKIM_ROUNDS:-500}"
}

main_dkim "$@"
