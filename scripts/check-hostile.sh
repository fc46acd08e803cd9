#!/usr/bin/env bash
# Builds the hostile fixture (tests/fixtures/hostile: stories, a theme and
# settings whose text holds <img src=x>, <script>…</script>, <evil/>, &amp;
# and a < b > c) and reads every feed back with Python feedparser, as a
# reader would: no title, summary or content may hold an img, script or
# evil element once parsed, and the hostile text must survive as text.
# JSON Feed (which feedparser 6 does not read) is checked with json.
# Usage: scripts/check-hostile.sh   (STORYFEED=path/to/storyfeed to skip cargo)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy: the build writes its ledger and site next to the config.
cp -R "$here/tests/fixtures/hostile/." "$work/"
if [ -n "${STORYFEED:-}" ]; then
  "$STORYFEED" build --config "$work/storyfeed.toml" >/dev/null
else
  (cd "$here" && cargo run --locked --quiet -- build --config "$work/storyfeed.toml" >/dev/null)
fi

echo "== feedparser on the hostile site"
python3 - "$work/public" <<'PY'
import html.parser, json, pathlib, sys, feedparser

site = pathlib.Path(sys.argv[1])
HOSTILE = ["<img src=x>", "<script>alert(1)</script>", "<evil/>", "&amp;", "a < b > c"]
FORBIDDEN = {"img", "script", "evil"}
HTML = {"text/html", "application/xhtml+xml"}
bad = 0

def fail(where, why):
    global bad
    bad += 1
    print(f"{where}: {why}")

class Reader(html.parser.HTMLParser):
    """The elements and the text a browser would make of an HTML value."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
    def handle_data(self, data):
        self.text.append(data)

def text_of(where, value, kind):
    """The text a reader shows for a value of media type `kind`."""
    if kind not in HTML:
        return value
    r = Reader()
    r.feed(value)
    r.close()
    for tag in FORBIDDEN.intersection(r.tags):
        fail(where, f"<{tag}> element in {value!r}")
    return "".join(r.text)

def check(where, value, kind, hostile):
    text = text_of(where, value, kind)
    if hostile:
        for h in HOSTILE:
            if h not in text:
                fail(where, f"{h!r} did not survive as text ({kind}): {value!r}")

feeds = sorted(p for ext in ("rss", "atom", "json") for p in (site / "feeds").rglob(f"*.{ext}"))
if len(feeds) != 6:
    fail(site, f"expected 6 feeds (all and one theme, 3 formats), found {len(feeds)}")
for p in feeds:
    name = p.relative_to(site)
    if p.suffix == ".json":
        doc = json.loads(p.read_text(encoding="utf-8"))
        # JSON Feed 1.1: title, description, summary and tags are plain text.
        check(f"{name} title", doc["title"], "text/plain", True)
        check(f"{name} description", doc["description"], "text/plain", True)
        for i, item in enumerate(doc["items"]):
            hostile = i == 0
            check(f"{name} item {i} title", item["title"], "text/plain", hostile)
            check(f"{name} item {i} summary", item["summary"], "text/plain", hostile)
            check(f"{name} item {i} content_html", item["content_html"], "text/html", hostile)
            if hostile and "&lt;img src=x&gt;" not in item["content_html"]:
                fail(f"{name} content_html", "no &lt;img src=x&gt;")
        continue
    d = feedparser.parse(p.read_bytes())
    if d.bozo:
        fail(name, f"bozo: {d.bozo_exception}")
        continue
    check(f"{name} feed title", d.feed.title, d.feed.title_detail.type, True)
    check(f"{name} feed subtitle", d.feed.subtitle, d.feed.subtitle_detail.type, True)
    for i, e in enumerate(d.entries):
        hostile = i == 0
        check(f"{name} entry {i} title", e.title, e.title_detail.type, hostile)
        check(f"{name} entry {i} summary", e.summary, e.summary_detail.type, hostile)
        for c in e.get("content", []):
            check(f"{name} entry {i} content", c.value, c.type, hostile)
        if hostile and d.version == "rss20":
            # An RSS description is HTML: the markup must arrive escaped.
            if e.summary_detail.type != "text/html":
                fail(f"{name} summary", f"type {e.summary_detail.type}, not text/html")
            if "&lt;img src=x&gt;" not in e.summary:
                fail(f"{name} summary", f"no &lt;img src=x&gt; in {e.summary!r}")
print(f"{len(feeds)} feeds, {bad} problems")
sys.exit(1 if bad else 0)
PY
