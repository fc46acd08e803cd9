#!/usr/bin/env python3
"""Writes a digest benchmark project: an archive of STORIES stories taken
in turn from the shipped ones and re-dated into October 2026 (titles
numbered), SUBSCRIBERS monthly subscribers with mixed followings (seeded:
10% everything, the rest 1-3 themes, half of them 1-2 programmes too; 10%
text only), and a config whose smtp_connections reads CONNECTIONS.

  digest_fixture.py OUT_DIR SUBSCRIBERS STORIES STORIES_JSONL TAXONOMY
"""
import json, random, sys, pathlib

out, n_subs, n_stories, stories_path, taxonomy = sys.argv[1:6]
out = pathlib.Path(out); out.mkdir(parents=True, exist_ok=True)
n_subs, n_stories = int(n_subs), int(n_stories)
stories = [json.loads(l) for l in open(stories_path, encoding="utf-8")]

lines = ["EU-UNODC brochure", ""]
for k in range(n_stories):
    s = stories[k % len(stories)]
    day = 1 + k % 31
    lines.append(f"{day} October 2026: {s['title']} ({k // len(stories) + 1})")
    lines.append("")
    for p in s["paragraphs"]:
        lines += [p, ""]
(out / "archives").mkdir(exist_ok=True)
(out / "archives" / "bench.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

themes, programmes = set(), set()
for s in stories:
    themes.update(s["themes"]); programmes.update(s["programmes"])
themes, programmes = sorted(themes), sorted(programmes)
rng = random.Random(7)
subs = []
for i in range(n_subs):
    entry = [f'[[subscriber]]\naddress = "reader{i}@bench.example.org"', f'name = "Reader {i}"']
    kind = rng.random()
    if kind < 0.1:
        entry.append("all = true")
    else:
        entry.append("themes = [%s]" % ", ".join(f'"{t}"' for t in rng.sample(themes, rng.randint(1, 3))))
        if kind < 0.5:
            entry.append("programmes = [%s]" % ", ".join(f'"{p}"' for p in rng.sample(programmes, rng.randint(1, 2))))
    entry.append('frequency = "monthly"')
    if rng.random() < 0.1:
        entry.append('format = "text"')
    subs.append("\n".join(entry))
(out / "subscribers.toml").write_text("\n\n".join(subs) + "\n", encoding="utf-8")

(out / "storyfeed.toml").write_text(
    'base_url = "https://example.org/unodc/"\narchives = ["archives"]\n'
    f'taxonomy = "{taxonomy}"\nledger = "published.jsonl"\n'
    '[digest]\nsubscribers = "subscribers.toml"\nstate_dir = "state"\n'
    'smtp_connections = CONNECTIONS\n', encoding="utf-8")
