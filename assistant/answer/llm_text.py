"""Reading what a language model wrote: sentences, their source keys, and the sources
it was shown (keyed by short section ids)."""

from __future__ import annotations

import re

from assistant.answer import prompts
from assistant.index.records import SectionRecord
from assistant.retrieval.search import SearchResult
from assistant.text import split_sentences, words

ID_REF = re.compile(r"\[((?:[0-9a-f]{8}(?:\s*[,;]\s*)?)+)\]")
REF_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[[0-9a-f]{8}(?:\s*[,;]\s*[0-9a-f]{8})*\])+)")


def parse_cited_lines(raw: str, refs: dict) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """(list prefix, [(sentence without marks, valid section keys)]) per line; sentences
    without a valid key are dropped."""
    out = []
    for line in raw.strip().splitlines():
        sentences = []
        for sentence in split_sentences(line) if line.strip() else []:
            ids = [i for m in ID_REF.finditer(sentence) for i in re.split(r"[,;\s]+", m.group(1)) if i]
            valid = list(dict.fromkeys(i for i in ids if i in refs))
            body = re.sub(r"\s+([.,;:!?])", r"\1", ID_REF.sub("", sentence).strip())
            if valid and body:
                sentences.append((body, valid))
        if sentences:
            prefix = re.match(r"^\s*(\d+[.)]|[-*])\s+", line)
            out.append((prefix.group(0) if prefix else "", sentences))
    return out


def format_sections(result: SearchResult) -> str:
    """The ranked sections, whole, keyed by a short id (data, not instructions)."""
    parts = [prompts.SOURCES_HEADER]
    for h in result.hits:
        sec = h.section
        where = " > ".join(p for p in (sec.title, sec.location) if p)
        parts.append(f"[{sec.id[:8]}] {where}\n" + " ".join(s.text for s in sec.sentences))
    return "\n\n".join(parts)


def best_quote(section: SectionRecord, written: str) -> str:
    """The section sentence that shares most words with what the model wrote."""
    said = set(words(written))
    sentences = [s.text for s in section.sentences] or [section.heading]
    return max(sentences, key=lambda s: len(said & set(words(s))))
