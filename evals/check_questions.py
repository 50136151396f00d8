#!/usr/bin/env python
"""Validate evals/questions.jsonl against the draaiboek corpus.

Checks:
- every line is a JSON object with exactly the expected keys and value types;
- ids are unique (q001, q002, ...), questions are not duplicated;
- in-scope questions have 1-3 relevant sections and 1-3 key facts (1-5 words each);
  out-of-scope questions have empty relevant and key_facts lists;
- every (doc_id, section) exists in corpus/draaiboek/*.md
  (front matter between --- lines skipped, "# " is the title,
  section path "X" for "## X" and "X > Y" for "### Y" under "## X");
- every key fact occurs (case-insensitive) in the concatenated body text of the
  question's relevant sections;
- no question copies a full heading (of 3+ words) verbatim;
- every question marked as containing a typo (TYPOS below) really contains that token;
- minimum counts: total, out of scope, English, typos, per chapter.

Prints counts and exits non-zero on any problem.
Usage: python evals/check_questions.py [path/to/questions.jsonl]
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "draaiboek"
DEFAULT_QUESTIONS = ROOT / "evals" / "questions.jsonl"

KEYS = {"id", "question", "audience", "lang", "in_scope", "relevant", "key_facts"}
AUDIENCES = {"gemeente", "schepen", "student"}
LANGS = {"nl", "en"}

# Questions written with a deliberate, realistic typo: id -> misspelled token.
TYPOS = {
    "q026": "afvalkalnder",
    "q036": "samenwerkingsovereenkomts",
    "q038": "identitietskaart",
    "q048": "kerngoep",
    "q067": "finaciering",
    "q070": "valkuillen",
    "q082": "impakt",
    "q084": "aliantie",
    "q102": "veranderingsthoerie",
    "q114": "succesfaktoren",
    "q120": "subsidei",
    "q124": "buitenschoolsse",
    "q130": "Jansens",
    "q135": "allaintie",
    "q144": "meerjarenpan",
    "q145": "partnerkaard",
    "q156": "municipalty",
    "q162": "verkening",
    "q166": "inwner",
    "q182": "secundiare",
    "q185": "quadrupel",
    "q194": "netwekren",
}

MIN_TOTAL = 130
MIN_OUT_OF_SCOPE = 25
MIN_EN = 18
MIN_TYPOS = 12
MIN_PER_CHAPTER = 4
MIN_PER_CORE_CHAPTER = 6  # chapters 02-07 and 11 should get more questions
CORE_PREFIXES = ("02-", "03-", "04-", "05-", "06-", "07-", "11-")


def parse_corpus():
    """Return {doc_id: {section_path: body_text}} and the list of all headings."""
    docs = {}
    headings = []
    for md in sorted(CORPUS.glob("*.md")):
        lines = md.read_text(encoding="utf-8").splitlines()
        i = 0
        if lines and lines[0].strip() == "---":
            i = 1
            while i < len(lines) and lines[i].strip() != "---":
                i += 1
            i += 1  # skip closing ---
        sections = {}
        h2 = None
        current = []  # section paths the current line belongs to
        for line in lines[i:]:
            if line.startswith("### "):
                title = line[4:].strip()
                headings.append(title)
                if h2 is None:
                    path = title
                    current = [path]
                else:
                    path = f"{h2} > {title}"
                    current = [h2, path]  # a ## section includes its ### children
                sections.setdefault(path, [])
                continue
            if line.startswith("## "):
                h2 = line[3:].strip()
                headings.append(h2)
                sections.setdefault(h2, [])
                current = [h2]
                continue
            if line.startswith("# "):
                headings.append(line[2:].strip())
                current = []
                continue
            for path in current:
                sections[path].append(line)
        docs["draaiboek/" + md.stem] = {k: "\n".join(v) for k, v in sections.items()}
    return docs, headings


def main():
    qpath = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_QUESTIONS
    docs, headings = parse_corpus()
    long_headings = [h for h in set(headings) if len(h.split()) >= 3]
    errors = []
    records = []

    for n, raw in enumerate(qpath.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append(f"line {n}: empty line")
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: invalid JSON ({e})")
            continue
        if not isinstance(rec, dict):
            errors.append(f"line {n}: not a JSON object")
            continue
        if set(rec) != KEYS:
            errors.append(f"line {n}: keys {sorted(rec)} != {sorted(KEYS)}")
            continue
        records.append((n, rec))

    ids = Counter(r["id"] for _, r in records)
    for qid, c in ids.items():
        if c > 1:
            errors.append(f"duplicate id {qid} ({c}x)")
    qtexts = Counter(r["question"].strip().lower() for _, r in records if isinstance(r["question"], str))
    for q, c in qtexts.items():
        if c > 1:
            errors.append(f"duplicate question {q!r} ({c}x)")

    per_chapter = Counter()
    for n, r in records:
        where = f"line {n} ({r.get('id')})"
        if not isinstance(r["id"], str) or not re.fullmatch(r"q\d{3,}", r["id"]):
            errors.append(f"{where}: bad id {r['id']!r}")
        if not isinstance(r["question"], str) or not r["question"].strip():
            errors.append(f"{where}: empty question")
            continue
        if r["audience"] not in AUDIENCES:
            errors.append(f"{where}: bad audience {r['audience']!r}")
        if r["lang"] not in LANGS:
            errors.append(f"{where}: bad lang {r['lang']!r}")
        if not isinstance(r["in_scope"], bool):
            errors.append(f"{where}: in_scope must be a boolean")
            continue
        if not isinstance(r["relevant"], list) or not isinstance(r["key_facts"], list):
            errors.append(f"{where}: relevant and key_facts must be lists")
            continue
        qlow = r["question"].lower()
        for h in long_headings:
            if h.lower() in qlow:
                errors.append(f"{where}: question copies heading {h!r}")

        if not r["in_scope"]:
            if r["relevant"] or r["key_facts"]:
                errors.append(f"{where}: out-of-scope question must have empty relevant and key_facts")
            continue

        if not 1 <= len(r["relevant"]) <= 3:
            errors.append(f"{where}: needs 1-3 relevant sections, has {len(r['relevant'])}")
        if not 1 <= len(r["key_facts"]) <= 3:
            errors.append(f"{where}: needs 1-3 key facts, has {len(r['key_facts'])}")

        texts = []
        seen = set()
        chapters = set()
        for rel in r["relevant"]:
            if not isinstance(rel, dict) or set(rel) != {"doc_id", "section"}:
                errors.append(f"{where}: bad relevant entry {rel!r}")
                continue
            key = (rel["doc_id"], rel["section"])
            if key in seen:
                errors.append(f"{where}: duplicate relevant entry {key}")
            seen.add(key)
            doc = docs.get(rel["doc_id"])
            if doc is None:
                errors.append(f"{where}: unknown doc_id {rel['doc_id']!r}")
                continue
            if rel["section"] not in doc:
                errors.append(f"{where}: section {rel['section']!r} not found in {rel['doc_id']}")
                continue
            texts.append(doc[rel["section"]])
            chapters.add(rel["doc_id"])
        for d in chapters:
            per_chapter[d] += 1

        body = "\n".join(texts).lower()
        for kf in r["key_facts"]:
            if not isinstance(kf, str) or not kf.strip():
                errors.append(f"{where}: empty key fact")
                continue
            if not 1 <= len(kf.split()) <= 5:
                errors.append(f"{where}: key fact {kf!r} should be 1-5 words")
            if texts and kf.lower() not in body:
                errors.append(f"{where}: key fact {kf!r} not found in its relevant sections")

    by_id = {r["id"]: r for _, r in records}
    for qid, token in TYPOS.items():
        r = by_id.get(qid)
        if r is None:
            errors.append(f"typo list: unknown id {qid}")
        elif token.lower() not in r["question"].lower():
            errors.append(f"typo list: {qid} does not contain {token!r}")

    total = len(records)
    in_scope = sum(1 for _, r in records if r["in_scope"] is True)
    out_scope = sum(1 for _, r in records if r["in_scope"] is False)
    en = sum(1 for _, r in records if r["lang"] == "en")
    nl = sum(1 for _, r in records if r["lang"] == "nl")
    aud = Counter(r["audience"] for _, r in records)
    typos = sum(1 for qid in TYPOS if qid in by_id)

    print(f"total questions : {total}")
    print(f"in scope        : {in_scope}")
    print(f"out of scope    : {out_scope}")
    print(f"lang en / nl    : {en} / {nl}")
    print(f"with typo       : {typos}")
    print("audience        : " + ", ".join(f"{a} {aud[a]}" for a in sorted(AUDIENCES)))
    print("questions per chapter (a question citing several chapters counts for each):")
    for d in sorted(docs):
        print(f"  {d:<50} {per_chapter[d]:>3}")

    if total < MIN_TOTAL:
        errors.append(f"only {total} questions, need at least {MIN_TOTAL}")
    if out_scope < MIN_OUT_OF_SCOPE:
        errors.append(f"only {out_scope} out-of-scope questions, need at least {MIN_OUT_OF_SCOPE}")
    if en < MIN_EN:
        errors.append(f"only {en} English questions, need at least {MIN_EN}")
    if typos < MIN_TYPOS:
        errors.append(f"only {typos} questions with a typo, need at least {MIN_TYPOS}")
    for d in sorted(docs):
        need = MIN_PER_CORE_CHAPTER if d.split("/", 1)[1].startswith(CORE_PREFIXES) else MIN_PER_CHAPTER
        if per_chapter[d] < need:
            errors.append(f"{d}: only {per_chapter[d]} questions, need at least {need}")

    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  - " + e)
        return 1
    print("\nOK: no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
