#!/usr/bin/env bash
# `storyfeed build` on 100,000 generated stories, output on tmpfs so the
# tool is measured rather than the disk: a first build, then an unchanged
# rebuild, each with wall time and peak memory.
#
#   scripts/bench-build.sh            # STORIES=100000 RUNS=2
set -euo pipefail
cd "$(dirname "$0")/.."
STORIES=${STORIES:-100000}
RUNS=${RUNS:-2}
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/storyfeed-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --bin storyfeed --example generate_corpus
target/release/examples/generate_corpus --out "$work/archives" --stories "$STORIES" | tail -n 1
printf 'archives = ["archives"]\nledger = "published.jsonl"\nout_dir = "public"\ntaxonomy = "%s"\n' \
  "$PWD/data/taxonomy.toml" > "$work/storyfeed.toml"

measure() { # label
  /usr/bin/time -f "$1: %e s wall, %U s user, %S s sys, %M KiB peak" \
    target/release/storyfeed build --config "$work/storyfeed.toml" 2>&1 >/dev/null | tail -n 1
}
measure "first build"
for i in $(seq "$RUNS"); do measure "unchanged rebuild $i"; done
echo "output: $(find "$work/public" -type f | wc -l) files, $(du -sh "$work/public" | cut -f1)"
