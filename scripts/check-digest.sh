#!/usr/bin/env bash
# Checks digests written as .eml files (`storyfeed digest --dry-run`, or
# `cargo run --example render_digest -- DIR`) with independent tools:
#   - Python's email package (policy=email.policy.default): no defects in the
#     message or any part; multipart/alternative has text/plain first and
#     text/html last; every text part is charset utf-8; the list headers are
#     there and one line each;
#   - the Nu HTML Checker (vnu.jar) on every HTML part;
#   - with DKIM_RECORD=FILE (the line `storyfeed dkim keygen` printed): every
#     message's DKIM signature through Python's dkimpy, that record being the
#     DNS answer; a copy with its Subject changed must fail.
# Usage: scripts/check-digest.sh EML_DIR   (VNU_JAR=path/to/vnu.jar to skip the npm lookup)
set -euo pipefail
dir=${1:?usage: check-digest.sh EML_DIR}
html_dir=$(mktemp -d)
trap 'rm -rf "$html_dir"' EXIT

echo "== Python email (policy=default)"
# Both checks run whatever the first finds; the exit code remembers both.
email_status=0
python3 - "$dir" "$html_dir" <<'PY' || email_status=$?
import email, email.policy, pathlib, sys

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
emls = sorted(src.rglob("*.eml"))
if not emls:
    sys.exit(f"no .eml files under {src}")
bad = 0
def fail(path, why):
    global bad
    bad += 1
    print(f"{path}: {why}")

for n, path in enumerate(emls):
    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        for defect in part.defects:
            fail(path, f"{part.get_content_type()}: defect {defect!r}")
    for name in ("From", "To", "Date", "Subject", "Message-ID", "List-Id",
                 "List-Unsubscribe", "List-Unsubscribe-Post"):
        values = msg.get_all(name) or []
        if len(values) != 1:
            fail(path, f"{len(values)} {name} headers")
        for v in values:
            for defect in getattr(v, "defects", ()):
                fail(path, f"{name}: defect {defect!r}")
    if str(msg.get("List-Unsubscribe-Post", "")) != "List-Unsubscribe=One-Click":
        fail(path, "List-Unsubscribe-Post is not List-Unsubscribe=One-Click")
    lu = str(msg.get("List-Unsubscribe", ""))
    if "<https://" not in lu and "<http://" not in lu:
        fail(path, f"List-Unsubscribe has no HTTP(S) URL: {lu}")
    # Headers must not carry raw 8-bit bytes (RFC 2047 instead).
    head = raw.split(b"\r\n\r\n", 1)[0]
    if any(b > 127 for b in head):
        fail(path, "8-bit bytes in the header")
    ctype = msg.get_content_type()
    if ctype == "multipart/alternative":
        parts = [p for p in msg.iter_parts()]
        types = [p.get_content_type() for p in parts]
        if types[:1] != ["text/plain"] or types[-1:] != ["text/html"]:
            fail(path, f"part order {types}, want text/plain first and text/html last")
    elif ctype != "text/plain":
        fail(path, f"top-level type {ctype}")
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            charset = (part.get_content_charset() or "").lower()
            if charset != "utf-8":
                fail(path, f"{part.get_content_type()} charset {charset!r}")
            body = part.get_content()  # decodes the transfer encoding
            if part.get_content_type() == "text/html":
                if len(part.get_payload(decode=True)) >= 100_000:
                    fail(path, "HTML part is 100 KB or more")
                (out / f"{n:05d}-{path.stem}.html").write_text(body, encoding="utf-8")
print(f"{len(emls)} messages, {bad} problems")
sys.exit(1 if bad else 0)
PY

if [ -n "${DKIM_RECORD:-}" ]; then
    echo "== DKIM (dkimpy)"
    python3 - "$dir" "$DKIM_RECORD" <<'PY' || email_status=1
import pathlib, re, sys
import dkim

src, record_file = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
line = record_file.read_text().strip()
name, rest = line.split(" IN TXT ", 1)
record = "".join(re.findall(r'"([^"]*)"', rest)).encode()
want = name.rstrip(".").lower().encode()

def dnsfunc(qname, timeout=5):
    q = qname.decode() if isinstance(qname, bytes) else qname
    return record if q.rstrip(".").lower().encode() == want else None

emls = sorted(src.rglob("*.eml"))
if not emls:
    sys.exit(f"no .eml files under {src}")
bad = 0
for path in emls:
    raw = path.read_bytes()
    if b"DKIM-Signature:" not in raw:
        bad += 1
        print(f"{path}: not signed")
        continue
    if not dkim.verify(raw, dnsfunc=dnsfunc):
        bad += 1
        print(f"{path}: DKIM signature does not verify")
    tampered = re.sub(rb"\r\nSubject: ", b"\r\nSubject: X", raw, count=1)
    if tampered == raw or dkim.verify(tampered, dnsfunc=dnsfunc):
        bad += 1
        print(f"{path}: a changed Subject still verifies")
print(f"{len(emls)} messages signed and verified with {name}, {bad} problems")
sys.exit(1 if bad else 0)
PY
fi

echo "== Nu HTML Checker"
jar=${VNU_JAR:-$(node -e 'console.log(require.resolve("vnu-jar/build/dist/vnu.jar"))' 2>/dev/null || true)}
[ -n "$jar" ] && [ -f "$jar" ] || { echo "vnu.jar not found (npm install vnu-jar)"; exit 1; }
shopt -s nullglob
pages=("$html_dir"/*.html)
if [ ${#pages[@]} = 0 ]; then
    echo "no HTML parts (text-only digests)"
    exit "$email_status"
fi
report="$html_dir/vnu.txt"
# --errors-only: warnings are not failures. The gnu format marks each
# error with ": error:" (the text format writes "Error:" instead).
java -jar "$jar" --errors-only --exit-zero-always --format gnu "${pages[@]}" 2> "$report"
errors=$(grep -c ': error:' "$report" || true)
head -n 20 "$report"
echo "${#pages[@]} HTML parts, $errors errors"
[ "$errors" = 0 ] && [ "$email_status" = 0 ]
