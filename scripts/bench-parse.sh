#!/usr/bin/env bash
# Parser throughput and memory on a generated 100 MB corpus.
#
#   scripts/bench-parse.sh            # CLI timing + `cargo bench --bench parse`
#   SKIP_CRITERION=1 scripts/bench-parse.sh   # CLI timing only
#
# Steps: build release; generate the corpus (seed 1, the one the criterion
# bench uses) into a temporary directory, on tmpfs (/dev/shm) when there is
# one; time `storyfeed check DIR` (wall time, MB/s, peak RSS) RUNS times; run
# `cargo bench --bench parse`; print a summary of the figures.
#
# Environment: BYTES (default 100000000), SEED (1), RUNS (3), SKIP_CRITERION.
set -euo pipefail

cd "$(dirname "$0")/.."
BYTES=${BYTES:-100000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}

base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/storyfeed-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus

echo "== build (release)"
cargo build --release --bin storyfeed --example generate_corpus

echo "== generate $BYTES bytes, seed $SEED, into $corpus"
target/release/examples/generate_corpus --out "$corpus" --bytes "$BYTES" --seed "$SEED" | tee "$work/generate.log"
total_bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s}')
largest=$(find "$corpus" -name '*.txt' -printf '%s %f\n' | sort -n | tail -n 1)
nfiles=$(find "$corpus" -name '*.txt' | wc -l)

# How to get the peak RSS: /usr/bin/time -v where it exists, else python3's
# getrusage of the finished child, else polling VmHWM in /proc (a lower
# bound). MEASURE=time|python|poll forces one.
if [ -z "${MEASURE:-}" ]; then
    if [ -x /usr/bin/time ]; then MEASURE=time
    elif command -v python3 > /dev/null; then MEASURE=python
    else MEASURE=poll
    fi
fi

# Runs "$@" once, stdout to $work/check.out; sets WALL (seconds) and RSS_KB
# (peak resident set size, KiB).
measure() {
    local start end pid hwm=0 h
    start=$(date +%s.%N)
    case $MEASURE in
    time)
        /usr/bin/time -v "$@" > "$work/check.out" 2> "$work/time.err" || {
            cat "$work/time.err" >&2
            return 1
        }
        RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.err")
        ;;
    python)
        # Timed inside python: its own start-up is not the parser's.
        read -r PY_WALL RSS_KB < <(python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "w") as out:
    rc = subprocess.call(sys.argv[2:], stdout=out)
wall = time.monotonic() - t
print(f"{wall:.3f}", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$work/check.out" "$@")
        ;;
    poll)
        "$@" > "$work/check.out" &
        pid=$!
        while [ -r "/proc/$pid/status" ]; do
            h=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
            [ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
            sleep 0.01
        done
        wait "$pid"
        RSS_KB=$hwm
        ;;
    esac
    end=$(date +%s.%N)
    WALL=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')
    [ "$MEASURE" = python ] && WALL=$PY_WALL
    return 0
}

echo "== storyfeed check $corpus ($RUNS runs; peak RSS by $MEASURE)"
best_wall=
max_rss=0
for i in $(seq "$RUNS"); do
    measure target/release/storyfeed check "$corpus"
    printf '  run %d: wall %.3f s, peak RSS %d KiB\n' "$i" "$WALL" "$RSS_KB"
    if [ -z "$best_wall" ] || awk -v a="$WALL" -v b="$best_wall" 'BEGIN {exit !(a < b)}'; then
        best_wall=$WALL
    fi
    [ "$RSS_KB" -gt "$max_rss" ] && max_rss=$RSS_KB
done
check_summary=$(tail -n 1 "$work/check.out")
echo "  $check_summary"

if [ -z "${SKIP_CRITERION:-}" ]; then
    echo "== cargo bench --bench parse (corpus of $BYTES bytes)"
    STORYFEED_BENCH_BYTES=$BYTES cargo bench --bench parse 2>&1 | tee "$work/bench.log"
fi

echo
echo "================ figures ================"
printf 'corpus:            %s files, %s bytes (%.1f MB), seed %s\n' "$nfiles" "$total_bytes" "$(awk -v b="$total_bytes" 'BEGIN {print b / 1e6}')" "$SEED"
printf 'largest file:      %s bytes (%.1f MB) %s\n' "${largest%% *}" "$(awk -v b="${largest%% *}" 'BEGIN {print b / 1e6}')" "${largest#* }"
printf 'generator:         %s\n' "$(tail -n 1 "$work/generate.log")"
printf 'storyfeed check:   %s\n' "$check_summary"
printf 'CLI wall (best):   %.3f s  => %.1f MB/s\n' "$best_wall" "$(awk -v b="$total_bytes" -v t="$best_wall" 'BEGIN {print b / 1e6 / t}')"
printf 'CLI peak RSS:      %d KiB (%.1f MiB), by %s\n' "$max_rss" "$(awk -v k="$max_rss" 'BEGIN {print k / 1024}')" "$MEASURE"
if [ -z "${SKIP_CRITERION:-}" ]; then
    # criterion prints `name` (alone or before `time:`) then `thrpt: [lo mid hi]`.
    awk '
        /^parse_[a-z_]*\/[^ ]*/ { name = $1 }
        /thrpt:/ && name != "" {
            sub(/.*\[/, ""); split($0, f, " ")
            v = f[3]; u = f[4]; mb = (u == "MiB/s") ? v * 1.048576 : (u == "GiB/s" ? v * 1073.741824 : v)
            printf "%-40s %8s %s  (%.1f MB/s)\n", name ":", v, u, mb
            name = ""
        }' "$work/bench.log"
fi
