#!/usr/bin/env bash
# Checks a built site with independent validators:
#   - every feed with Python feedparser (no bozo),
#   - every Atom feed with xmllint against the RFC 4287 RELAX NG grammar,
#   - every HTML page with the Nu HTML Checker (vnu.jar).
# Usage: scripts/validate-site.sh SITE_DIR   (VNU_JAR=path/to/vnu.jar to skip the npm lookup;
#        FEEDS_ONLY=1 to check the feeds alone, for a second build that changes only them)
set -euo pipefail
site=${1:?usage: validate-site.sh SITE_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)

echo "== feedparser"
python3 - "$site" <<'PY'
import pathlib, sys, feedparser
site = pathlib.Path(sys.argv[1])
feeds = sorted(p for ext in ("rss", "atom", "json") for p in (site / "feeds").rglob(f"*.{ext}"))
bad = 0
for p in feeds:
    if p.suffix == ".json":
        import json
        doc = json.loads(p.read_text(encoding="utf-8"))
        ok = doc.get("version") == "https://jsonfeed.org/version/1.1" and all("id" in i for i in doc["items"])
        if not ok:
            bad += 1; print("bad JSON Feed:", p)
        continue
    d = feedparser.parse(p.read_bytes())
    if d.bozo:
        bad += 1; print("bozo:", p, d.bozo_exception)
    elif d.version not in ("rss20", "atom10"):
        bad += 1; print("unexpected version:", p, d.version)
print(f"{len(feeds)} feeds, {bad} bad")
sys.exit(1 if bad else 0)
PY

echo "== xmllint --relaxng atom.rng"
find "$site/feeds" -name '*.atom' -print0 | sort -z | xargs -0 xmllint --noout --relaxng "$here/tests/schemas/atom.rng" 2>&1 | grep -v ' validates$' || true
failed=$(find "$site/feeds" -name '*.atom' -print0 | xargs -0 xmllint --noout --relaxng "$here/tests/schemas/atom.rng" 2>&1 | grep -c -v ' validates$' || true)
echo "$(find "$site/feeds" -name '*.atom' | wc -l) Atom feeds, $failed problems"
[ "$failed" = 0 ]

[ "${FEEDS_ONLY:-}" != 1 ] || exit 0

echo "== Nu HTML Checker"
jar=${VNU_JAR:-$(node -e 'console.log(require.resolve("vnu-jar/build/dist/vnu.jar"))' 2>/dev/null || true)}
[ -n "$jar" ] && [ -f "$jar" ] || { echo "vnu.jar not found (npm install vnu-jar)"; exit 1; }
find "$site" -name '*.html' | sort > /tmp/storyfeed-pages.txt
# --errors-only: warnings (e.g. about trailing slashes) are not failures.
# The gnu format marks each error with ": error:" (the text format does not).
java -jar "$jar" --errors-only --exit-zero-always --format gnu $(cat /tmp/storyfeed-pages.txt) 2> /tmp/storyfeed-vnu.txt
pages=$(wc -l < /tmp/storyfeed-pages.txt)
errors=$(grep -c ': error:' /tmp/storyfeed-vnu.txt || true)
head -n 20 /tmp/storyfeed-vnu.txt
echo "$pages pages, $errors errors"
[ "$errors" = 0 ]
