#!/usr/bin/env python
"""Validate evals/questions.jsonl against the draaiboek corpus.

Checks:
- every line validates against the EvalQuestion model (assistant/evaluation.py): keys,
  types, ids, 1-3 relevant sections and 1-3 key facts (1-5 words) for in-scope
  questions, none for out-of-scope ones; ids and questions are unique;
- every (doc_id, section) exists in corpus/draaiboek/*.md (read with the product's own
  Markdown section parser: "X" for "## X", "X > Y" for "### Y" under "## X");
- every key fact occurs (case-insensitive) in the concatenated body text of the
  question's relevant sections;
- no question copies a full heading (of 3+ words) verbatim;
- every question marked as containing a typo (TYPOS below) really contains that token;
- minimum counts: total, out of scope, English, typos, per chapter.

Prints counts and exits non-zero on any problem.
Usage: python evals/check_questions.py [path/to/questions.jsonl]
"""
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "draaiboek"
DEFAULT_QUESTIONS = ROOT / "evals" / "questions.jsonl"


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


def parse_corpus() -> tuple[dict[str, dict[str, str]], list[str]]:
    """{doc_id: {section path: text including sub-sections}} and every heading."""
    from assistant.ingest.loaders import markdown_sections, section_texts, split_front_matter

    docs, headings = {}, []
    for md in sorted(CORPUS.glob("*.md")):
        _, body, _ = split_front_matter(md.read_text(encoding="utf-8"))
        title, sections = markdown_sections(body)
        headings += [title] + [s.path.rsplit(" > ", 1)[-1] for s in sections if s.path]
        docs["draaiboek/" + md.stem] = section_texts(body)
    return docs, headings


def check(rows, docs, headings) -> tuple[list[str], Counter]:
    """Labels against the corpus: sections exist, key facts occur, headings not copied."""
    errors, per_chapter = [], Counter()
    long_headings = [h for h in set(headings) if len(h.split()) >= 3]
    for r in rows:
        where = r.id
        errors += [f"{where}: question copies heading {h!r}" for h in long_headings if h.lower() in r.question.lower()]
        texts = []
        for rel in r.relevant:
            doc = docs.get(rel.doc_id)
            if doc is None:
                errors.append(f"{where}: unknown doc_id {rel.doc_id!r}")
            elif rel.section not in doc:
                errors.append(f"{where}: section {rel.section!r} not found in {rel.doc_id}")
            else:
                texts.append(doc[rel.section])
        for rel in r.also_relevant:
            if rel.section not in docs.get(rel.doc_id, {}):
                errors.append(f"{where}: audited section {rel.doc_id} › {rel.section!r} not found")
        for d in {rel.doc_id for rel in r.relevant}:
            per_chapter[d] += 1
        body = "\n".join(texts).lower()
        errors += [f"{where}: key fact {kf!r} not found in its relevant sections"
                   for kf in r.key_facts if texts and kf.lower() not in body]
    by_id = {r.id: r for r in rows}
    for qid, token in TYPOS.items():
        r = by_id.get(qid)
        if r is None:
            errors.append(f"typo list: unknown id {qid}")
        elif token.lower() not in r.question.lower():
            errors.append(f"typo list: {qid} does not contain {token!r}")
    return errors, per_chapter


def main() -> int:
    from assistant.evaluation import QuestionFileError, read_question_rows

    qpath = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_QUESTIONS
    try:
        rows = read_question_rows(qpath)
    except QuestionFileError as exc:
        print(exc)
        return 1
    docs, headings = parse_corpus()
    errors, per_chapter = check(rows, docs, headings)
    out_scope = sum(not r.in_scope for r in rows)
    en = sum(r.lang == "en" for r in rows)
    typos = sum(1 for qid in TYPOS if qid in {r.id for r in rows})
    audiences = Counter(r.audience for r in rows)
    print(f"total questions : {len(rows)}")
    print(f"in scope        : {len(rows) - out_scope}")
    print(f"out of scope    : {out_scope}")
    print(f"lang en / nl    : {en} / {len(rows) - en}")
    print(f"with typo       : {typos}")
    print("audience        : " + ", ".join(f"{a} {n}" for a, n in sorted(audiences.items(), key=str)))
    print("questions per chapter (a question citing several chapters counts for each):")
    for d in sorted(docs):
        print(f"  {d:<50} {per_chapter[d]:>3}")
    minimums = [(len(rows), MIN_TOTAL, "questions"), (out_scope, MIN_OUT_OF_SCOPE, "out-of-scope questions"),
                (en, MIN_EN, "English questions"), (typos, MIN_TYPOS, "questions with a typo")]
    errors += [f"only {n} {what}, need at least {need}" for n, need, what in minimums if n < need]
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
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
