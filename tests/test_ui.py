"""The web app without a server: Blocks, handlers and formatting with a fake assistant.

No model loads here except in the one DocumentLibrary round trip, which uses the
session's real embedding model on a tiny index of its own.
"""

from __future__ import annotations

import copy
import csv
import re
from datetime import date
from pathlib import Path

import gradio as gr
import pytest
from bs4 import BeautifulSoup

from assistant.answer.citations import source_note
from assistant.ingest.library import DocumentLibrary, UploadRejected, safe_filename
from assistant.services.feedback import FeedbackStore
from assistant.ingest.guide import Guide, slug
from assistant.index.snapshot import IndexMissing
from assistant.ingest.ingestor import IngestReport, Ingestor
from assistant.answer.prompts import REFUSAL_NL, SENTINEL
from assistant.index.records import SectionRecord, SentenceRecord
from assistant.scan import NetworkScan
from assistant.sources import SourceRecord
from assistant.settings import Settings
from assistant.types import Answer, Citation, SectionLink, SourceChunk
from assistant.ui import app as ui
from assistant.ui import format as fmt

ROOT = Path(__file__).resolve().parents[1]
GUIDE = Guide(ROOT / "corpus" / "draaiboek")

GOV = "draaiboek/04-governance-en-structuur"
GOV_SEC = "Drie vormen van netwerkgovernance volgens Provan en Kenis"
GOV_NEXT = "Welke governancevorm past bij een STEM-alliantie"
FIN = "draaiboek/06-financiering"
FIN_SEC = "Het financieringslandschap voor een STEM-alliantie"

XSS_SCRIPT = "<script>alert('x')</script>"
XSS_IMG = '<img src=x onerror="alert(1)">'


def chunk(cid: str, doc_id: str, section: str, text: str, title: str = "Governance en structuur",
          page: int | None = None) -> SourceChunk:
    return SourceChunk(id=cid, doc_id=doc_id, title=title, source=f"corpus/{doc_id}.md", text=text,
                       section=section, page=page)


def cite(n: int, c: SourceChunk, quote: str) -> Citation:
    return Citation(n, c.id, c.doc_id, c.title, c.source, c.section, c.page, quote, 0.9)


CH_GOV = chunk("a1b2c3d4e5f60718", GOV, GOV_SEC,
               "Provan en Kenis onderscheiden drie vormen van netwerkgovernance. Een lead organisation "
               "stuurt het netwerk. Zie ook [Provan en Kenis](https://example.org/provan).")
CH_FIN = chunk("f0e1d2c3b4a59687", FIN, FIN_SEC,
               "Een alliantie leeft niet van subsidies alleen. Bouw een mix van middelen op.",
               title="Financiering")
CH_UPLOAD = chunk("0badc0de0badc0de", "uploads/nota", "", "Een nota uit een upload.", title="Nota", page=2)

PROVAN = SourceRecord(id="provan-kenis-2008", titel="Modes of Network Governance", auteur="Provan, K. G. & Kenis, P.",
                      jaar=2008, soort="onderzoek", url="https://example.org/provan", doi="10.1093/jopart/mum015")


def section_of(c: SourceChunk, sources: list[SourceRecord] = ()) -> SectionRecord:
    return SectionRecord(id=c.id[:16], doc_id=c.doc_id, title=c.title, source=c.source, heading=c.section,
                         page=c.page, language="nl", phase="", chunk_ids=[c.id],
                         sentences=[SentenceRecord(t) for t in re.split(r"(?<=\.) ", c.text)], text=c.text,
                         sources=list(sources))


SECTIONS = {CH_GOV.id: section_of(CH_GOV, [PROVAN]), CH_FIN.id: section_of(CH_FIN),
            CH_UPLOAD.id: section_of(CH_UPLOAD)}

Q_GOV = "Welke vormen van netwerkgovernance zijn er?"
Q_FIN = "Hoe financieren we de alliantie?"
Q_OUT = "Hoe laat vertrekt de trein naar Oostende?"


def gov_answer(question: str = Q_GOV) -> Answer:
    return Answer(question, "Provan en Kenis onderscheiden drie vormen [1].\nEen lead organisation stuurt het "
                  "netwerk [1]. Geld komt uit een mix van middelen [2].",
                  [cite(1, CH_GOV, "Provan en Kenis onderscheiden drie vormen van netwerkgovernance."),
                   cite(2, CH_FIN, "Bouw een mix van middelen op.")], False, "offline",
                  {"total_ms": 12.0})


def refusal(question: str = Q_OUT) -> Answer:
    suggestions = [cite(1, CH_GOV, "Provan en Kenis onderscheiden drie vormen van netwerkgovernance."),
                   cite(2, CH_FIN, "Een alliantie leeft niet van subsidies alleen.")]
    text = "\n".join([REFUSAL_NL] + [f"- {c.title} > {c.section}" for c in suggestions])
    return Answer(question, text, [], True, "offline", {"total_ms": 3.0}, suggestions=suggestions)


class FakeRetriever:
    embeddings = None  # the app never touches it when Services are built by hand


class FakeAssistant:
    """The Assistant methods the app uses, answering from a script."""

    llm = None
    mode = "offline"

    def __init__(self, settings: Settings, script: dict | None = None, partials: dict | None = None):
        self.settings = settings
        self.retriever = FakeRetriever()
        self.script = script or {}
        self.partials = partials or {}
        self.chunks = {c.id: c for c in (CH_GOV, CH_FIN, CH_UPLOAD)}
        self.calls: list[tuple[str, list]] = []

    def _answer(self, question: str) -> Answer:
        made = self.script.get(question, refusal)
        if isinstance(made, Exception):
            raise made
        return made(question)

    def ask(self, question: str, history=()) -> Answer:
        self.calls.append((question, list(history)))
        return self._answer(question)

    def stream(self, question: str, history=()):
        self.calls.append((question, list(history)))
        yield from self.partials.get(question, [])
        yield self._answer(question)

    def search(self, query: str, k: int | None = None) -> list[SourceChunk]:
        return [CH_UPLOAD, CH_GOV, CH_FIN][:k]

    def passage(self, chunk_id: str) -> tuple[SourceChunk, SectionRecord] | None:
        return (self.chunks[chunk_id], SECTIONS[chunk_id]) if chunk_id in self.chunks else None


class FakeIngestor:
    """Counts runs; ingests nothing."""

    def __init__(self):
        self.runs = 0

    def run(self, paths=None, **kwargs) -> IngestReport:
        self.runs += 1
        return IngestReport()


@pytest.fixture
def tmp_settings(tmp_path) -> Settings:
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dirs=[ROOT / "corpus"])


@pytest.fixture
def services(tmp_settings, tmp_path) -> ui.Services:
    assistant = FakeAssistant(tmp_settings, {Q_GOV: gov_answer, Q_FIN: gov_answer, Q_OUT: refusal})
    return ui.Services(assistant, DocumentLibrary(tmp_settings, FakeIngestor()),
                       FeedbackStore(tmp_path / "feedback.sqlite3"), GUIDE, NetworkScan(tmp_settings))


def run_respond(s: ui.Services, message: str, chat=None, turns=None, quotes=None) -> list[tuple]:
    """Every update the handler yields, copied as Gradio sees it at that moment."""
    return [copy.deepcopy(step) for step in ui._respond(s, message, chat or [], turns or [], quotes or {})]


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def assert_no_raw_tags(html: str) -> None:
    low = html.lower()
    assert "<script" not in low and "<img" not in low, html
    assert not soup(html).find_all(["script", "img"])


# -- the Blocks ---------------------------------------------------------------------


def _components(app: gr.Blocks) -> list[dict]:
    return app.get_config_file()["components"]


def test_the_blocks_build_from_hand_made_services(services):
    app = ui.build_app(services.assistant, services)
    public = {f.api_name for f in app.fns.values() if f.api_visibility == "public"}
    assert public == {"chat", "ask"}
    props = [c.get("props", {}) for c in _components(app)]
    tabs = [p.get("label") for c, p in zip(_components(app), props) if c["type"] == "tabitem"]
    assert tabs == ["Vraag het", "Draaiboek", "Netwerkscan", "Documenten", "Over"]
    assert "Typ je vraag…" in [p.get("placeholder") for p in props]
    buttons = [p.get("value") for c, p in zip(_components(app), props) if c["type"] == "button"]
    assert {"Vraag", "Toevoegen en indexeren", "Nieuw gesprek", "Exporteer als Markdown"} <= set(buttons)
    assert "Antwoordmodus: **offline (zonder taalmodel)**" in [p.get("value") for p in props]
    chapter = next(p for p in props if p.get("elem_id") == "aw-chapter")["value"]
    assert chapter == GUIDE.render_html(GUIDE.chapters[0].doc_id) and "<h2 id=" in chapter


def test_the_blocks_build_from_default_services_without_loading_a_model(tmp_settings):
    app = ui.build_app(FakeAssistant(tmp_settings))
    assert {f.api_name for f in app.fns.values() if f.api_visibility == "public"} == {"chat", "ask"}
    assert (tmp_settings.data_dir / "feedback.sqlite3").is_file()
    radio = next(c["props"] for c in _components(app) if c.get("props", {}).get("elem_id") == "aw-toc")
    assert len(radio["choices"]) == len(GUIDE.chapters) == 19


# -- answers and citations ----------------------------------------------------------


def test_answer_html_links_every_marker_to_its_chunk_and_lists_sources():
    html = fmt.answer_html(gov_answer(), GUIDE)
    doc = soup(html)
    links = doc.select("a.aw-cite")
    in_text = [a for a in links if not a.find_parent(class_="aw-sources")]
    assert [(a.text, a["data-chunk"]) for a in in_text] == [
        ("[1]", CH_GOV.id), ("[1]", CH_GOV.id), ("[2]", CH_FIN.id)]
    sources = doc.select(".aw-sources li")
    assert [li.a["data-chunk"] for li in sources] == [CH_GOV.id, CH_FIN.id]
    assert [li.a.text for li in sources] == ["[1]", "[2]"]
    assert f"Governance en structuur › {GOV_SEC}" in sources[0].text
    assert f"Financiering › {FIN_SEC}" in sources[1].text
    assert links[0]["title"] == f"Governance en structuur › {GOV_SEC}"


def test_answer_html_shows_the_phase_and_the_next_step_of_a_draaiboek_answer():
    doc = soup(fmt.answer_html(gov_answer(), GUIDE))
    nxt = doc.select_one("p.aw-next")
    assert nxt is not None and "Fase 3 · Structureren" in nxt.strong.text
    step = nxt.select_one("a.aw-guide")
    assert "Volgende stap" in nxt.text
    assert step["data-doc"] == GOV and step["data-sec"] == GOV_NEXT
    assert step.text == f"Governance en structuur › {GOV_NEXT}"


def test_no_next_step_for_uploads_or_without_a_guide():
    upload = Answer("q", "Een nota [1].", [cite(1, CH_UPLOAD, "Een nota uit een upload.")], False, "offline")
    doc = soup(fmt.answer_html(upload, GUIDE))
    assert doc.select_one("p.aw-next") is None
    assert "Nota, p. 2" in doc.select_one(".aw-sources li").text
    assert soup(fmt.answer_html(gov_answer(), None)).select_one("p.aw-next") is None


def test_markers_without_a_citation_stay_plain_text():
    answer = Answer("q", "Zin [1]. Een verwijzing [7] die niet bestaat.",
                    [cite(1, CH_GOV, "Zin.")], False, "offline")
    doc = soup(fmt.answer_html(answer, GUIDE))
    assert [a.text for a in doc.select("a.aw-cite") if not a.find_parent(class_="aw-sources")] == ["[1]"]
    assert "[7]" in doc.text


def test_a_notice_is_shown_above_the_answer():
    answer = gov_answer()
    answer.notice = "Het taalmodel antwoordde niet <op tijd>."
    html = fmt.answer_html(answer, GUIDE)
    assert html.startswith("<p class='aw-notice'>") and "&lt;op tijd&gt;" in html


def test_refusals_list_suggestions_as_guide_links():
    html = fmt.answer_html(refusal(), GUIDE)
    doc = soup(html)
    assert html.startswith(fmt.esc(REFUSAL_NL)) and SENTINEL in doc.text
    links = doc.select("ul a.aw-guide")
    assert [(a["data-doc"], a["data-sec"]) for a in links] == [(GOV, GOV_SEC), (FIN, FIN_SEC)]
    assert links[0].text == f"Governance en structuur › {GOV_SEC}"
    assert not doc.select("a.aw-cite") and not doc.select(".aw-sources")
    assert "- Governance en structuur >" not in html  # the plain-text list is replaced by links


def test_user_and_document_text_is_escaped():
    evil_chunk = chunk("deadbeefdeadbeef", GOV, f"Sectie {XSS_IMG}", f"Tekst {XSS_SCRIPT} en *nadruk*.",
                       title=f"Titel {XSS_SCRIPT}")
    answer = Answer(XSS_SCRIPT, f"Het document zegt {XSS_IMG} [1]. En **vet** of `code` [1].",
                    [cite(1, evil_chunk, f"Tekst {XSS_SCRIPT}")], False, "offline")
    html = fmt.answer_html(answer, GUIDE)
    assert_no_raw_tags(html)
    assert "&lt;img src=x onerror=&quot;alert&#40;1&#41;&quot;&gt;" in html and "<img" not in html
    assert "Titel &lt;script&gt;alert&#40;&#x27;x&#x27;&#41;&lt;/script&gt;" in html and "<script" not in html
    assert "&#42;&#42;vet&#42;&#42;" in html and "&#96;code&#96;" in html  # no Markdown either
    a = soup(html).select_one("a.aw-cite")
    assert a["title"].startswith("Titel <script>")  # the attribute holds the text, not markup

    refused = refusal()
    refused.suggestions[0].title = XSS_IMG
    assert_no_raw_tags(fmt.answer_html(refused, GUIDE))

    panel = fmt.passage_html(evil_chunk, None, f"Tekst {XSS_SCRIPT}", GUIDE)
    assert_no_raw_tags(panel)
    assert "<mark>Tekst &lt;script&gt;alert&#40;&#x27;x&#x27;&#41;&lt;/script&gt;</mark>" in panel


def test_the_chat_escapes_the_question_and_streamed_text(services):
    services.assistant.partials[XSS_IMG] = ["Eerste ", XSS_SCRIPT]
    steps = run_respond(services, XSS_IMG)
    for _, chat, *_ in steps:
        for message in chat:
            assert_no_raw_tags(message["content"])
    first_chat = steps[0][1]
    assert first_chat[0] == {"role": "user", "content": "&lt;img src=x onerror=&quot;alert&#40;1&#41;&quot;&gt;"}
    streamed = [chat[-1]["content"] for _, chat, *_ in steps]
    assert "Eerste &lt;script&gt;alert&#40;&#x27;x&#x27;&#41;&lt;/script&gt; …" in streamed
    assert services.assistant.calls == [(XSS_IMG, [])]


def test_passage_html_highlights_the_quote_and_links_back():
    notes = [source_note(PROVAN, date(2026, 12, 1), 6)]
    html = fmt.passage_html(CH_GOV, SECTIONS[CH_GOV.id], "Een lead organisation stuurt het netwerk.", GUIDE, notes)
    doc = soup(html)
    assert doc.select_one(".aw-passage mark").text == "Een lead organisation stuurt het netwerk."
    assert doc.h3.text == "Governance en structuur" and GOV_SEC in doc.select_one(".aw-where").text
    back = doc.select_one("a.aw-guide")
    assert (back["data-doc"], back["data-sec"]) == (GOV, GOV_SEC)
    assert [a["href"] for a in doc.select("a[target=_blank]")] == ["https://example.org/provan"]
    assert "Provan, K. G. & Kenis, P., 2008 · onderzoek" in doc.select_one(".aw-source-list").text
    assert "mogelijk verouderd" in doc.select_one(".aw-source-list").text  # 2008 is older than 6 years
    assert "[Provan en Kenis](" not in doc.text  # Markdown links read as their label
    upload = soup(fmt.passage_html(CH_UPLOAD, SECTIONS[CH_UPLOAD.id], None, GUIDE))
    assert upload.select_one("mark") is None and upload.select_one("a.aw-guide") is None
    assert "p. 2" in upload.select_one(".aw-where").text


def test_multi_part_quotes_are_each_highlighted():
    quote = ("Provan en Kenis onderscheiden drie vormen van netwerkgovernance. … "
             "Een lead organisation stuurt het netwerk.")
    marks = soup(fmt.passage_html(CH_GOV, SECTIONS[CH_GOV.id], quote, GUIDE)).select("mark")
    assert len(marks) == 2


def test_an_answer_shows_read_next_related_questions_and_source_kinds():
    answer = gov_answer()
    answer.citations[0].sources = [source_note(PROVAN, date(2026, 12, 1), 6)]
    answer.read_next = [SectionLink(GOV, GOV_NEXT, "Governance en structuur")]
    answer.related_questions = ["Wanneer kies je een NAO?", "Wat doet een leiderorganisatie?"]
    doc = soup(fmt.answer_html(answer, GUIDE))
    assert "Provan, K. G. & Kenis, P., 2008 · onderzoek ⚠" in doc.select_one(".aw-sources").text
    nxt = doc.select_one(".aw-read-next a.aw-guide")
    assert (nxt["data-doc"], nxt["data-sec"]) == (GOV, GOV_NEXT)
    assert [a["data-q"] for a in doc.select(".aw-related a.aw-ask")] == answer.related_questions


# -- chat handlers ------------------------------------------------------------------


def test_respond_formats_the_answer_and_remembers_turns_and_quotes(services):
    steps = run_respond(services, f"  {Q_GOV}  ")
    box, chat, turns, quotes, mode = steps[-1]
    assert box == "" and len(chat) == 2 and chat[0]["content"] == fmt.esc(Q_GOV)
    assert chat[1]["role"] == "assistant" and chat[1]["content"] == fmt.answer_html(gov_answer(), GUIDE)
    assert soup(chat[1]["content"]).select("a.aw-cite")
    assert turns[0]["question"] == Q_GOV and turns[0]["answer"] == gov_answer().to_json()
    assert quotes == {CH_GOV.id: "Provan en Kenis onderscheiden drie vormen van netwerkgovernance.",
                      CH_FIN.id: "Bouw een mix van middelen op."}
    assert mode == "Antwoordmodus: **offline (zonder taalmodel)**"
    # the next question carries the history
    *_, (_, chat2, turns2, _, _) = run_respond(services, Q_FIN, chat, turns, quotes)
    assert len(chat2) == 4 and len(turns2) == 2
    assert services.assistant.calls[-1] == (Q_FIN, [(Q_GOV, gov_answer().text)])


def test_respond_ignores_empty_messages(services):
    steps = run_respond(services, "   ")
    assert len(steps) == 1 and steps[0][1] == [] and services.assistant.calls == []


def test_respond_logs_the_question_for_the_editors(services):
    run_respond(services, Q_OUT)
    run_respond(services, Q_GOV)
    assert services.feedback.gaps() == [(Q_OUT.lower(), 1, 1, 0)]


def test_a_missing_index_is_shown_in_the_chat(services):
    services.assistant.script["x"] = IndexMissing("Er is nog geen index in /tmp/x. Bouw hem met: <ingest>")
    *_, (_, chat, turns, _, _) = run_respond(services, "x")
    assert chat[-1]["content"] == "Er is nog geen index in /tmp/x. Bouw hem met: &lt;ingest&gt;"
    assert turns == []


def test_clicking_a_citation_opens_the_passage_with_its_quote(services):
    *_, (_, _, _, quotes, _) = run_respond(services, Q_GOV)
    passage, *rest = ui._on_click(services, f"cite|{CH_GOV.id}|1712345678", quotes)
    notes = [source_note(PROVAN, date.today(), services.assistant.settings.answer.max_source_age_years)]
    assert passage == fmt.passage_html(CH_GOV, SECTIONS[CH_GOV.id], quotes[CH_GOV.id], GUIDE, notes)
    assert soup(passage).select_one(".aw-passage mark").text.startswith("Provan en Kenis onderscheiden")
    assert rest[-1] == ""
    gone, *_ = ui._on_click(services, "cite|ffffffffffffffff|1", quotes)
    assert "niet meer in de index" in gone


def test_clicking_a_guide_link_opens_the_chapter_at_the_section(services):
    passage, tabs, chapter, html, anchor = ui._on_click(services, f"guide|{GOV}|{GOV_NEXT}|1712345678", {})
    assert isinstance(tabs, gr.Tabs) and tabs.selected == "draaiboek"
    assert chapter == GUIDE.chapter(GOV).label
    assert anchor == slug(GOV_NEXT) and f'id="{anchor}"' in html
    unknown = ui._on_click(services, "guide|draaiboek/99-bestaat-niet|x|1", {})
    assert unknown[-1] == "" and all(v == gr.update() for v in unknown[:-1])
    assert ui._on_click(services, "rommel", {})[-1] == ""


def test_the_draaiboek_search_lists_only_draaiboek_passages(services):
    doc = soup(ui._search_guide(services, "governance"))
    assert [(a["data-doc"], a["data-sec"]) for a in doc.select("a.aw-guide")] == [(GOV, GOV_SEC), (FIN, FIN_SEC)]
    assert ui._search_guide(services, "   ") == ""
    services.assistant.search = lambda q, k=None: [CH_UPLOAD]
    assert ui._search_guide(services, "nota") == "<p>Niets gevonden.</p>"


def test_chapters_render_with_anchors(services):
    label = GUIDE.chapter(FIN).label
    html = ui._show_chapter(services, label)
    assert f'id="{slug(FIN_SEC)}"' in html
    assert ui._show_chapter(services, "bestaat niet") == ""


class Like:
    def __init__(self, index, liked):
        self.index, self.liked = index, liked


def test_ratings_and_comments_reach_the_feedback_store(services, tmp_path):
    *_, (_, chat, turns, quotes, _) = run_respond(services, Q_GOV)
    *_, (_, chat, turns, quotes, _) = run_respond(services, Q_OUT, chat, turns, quotes)
    rated, status = ui._rate(services, turns, Like(3, False))
    assert {k: rated[k] for k in ("turn", "rating")} == {"turn": 1, "rating": -1} and status == "Bedankt voor je beoordeling."
    assert ui._rate(services, turns, Like(9, True)) == (None, "")
    assert ui._rate(services, turns, Like(1, None)) == (None, "")
    box, status = ui._comment(services, turns, rated, "Hier had ik meer verwacht.")
    assert box == "" and "bewaard" in status
    assert ui._comment(services, turns, None, "iets")[0] == "iets"
    out = tmp_path / "export.csv"
    services.feedback.export_csv(out)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["vraag"] for r in rows} == {Q_OUT}
    assert "Hier had ik meer verwacht." in {r["opmerking"] for r in rows}


def test_a_comment_is_attached_to_its_rating_not_counted_twice(services, tmp_path):
    *_, (_, _, turns, _, _) = run_respond(services, Q_GOV)
    rated, _ = ui._rate(services, turns, Like(1, False))
    ui._comment(services, turns, rated, "Te vaag.")
    out = tmp_path / "export.csv"
    assert services.feedback.export_csv(out) == 1
    assert services.feedback.gaps() == [(Q_GOV.lower(), 1, 0, 1)]


def test_a_rating_after_an_index_error_reaches_the_right_answer(services):
    services.assistant.script["eerst"] = IndexMissing("Er is nog geen index.")
    *_, (_, chat, turns, quotes, _) = run_respond(services, "eerst")
    *_, (_, chat, turns, quotes, _) = run_respond(services, Q_GOV, chat, turns, quotes)
    assert len(chat) == 4 and len(turns) == 1
    rated, _ = ui._rate(services, turns, Like(3, False))  # the thumbs of the last message
    assert {k: rated[k] for k in ("turn", "rating")} == {"turn": 0, "rating": -1}


def test_the_conversation_exports_as_markdown_with_numbered_sources(services):
    *_, (_, chat, turns, quotes, _) = run_respond(services, Q_GOV)
    *_, (_, chat, turns, quotes, _) = run_respond(services, Q_OUT, chat, turns, quotes)
    md = fmt.conversation_markdown(turns)
    assert md.startswith("# Gesprek met de STEM-Alliantiewijzer")
    assert f"## Vraag 1: {Q_GOV}" in md and f"## Vraag 2: {Q_OUT}" in md
    assert gov_answer().text in md and SENTINEL in md
    assert (f"1. Governance en structuur › {GOV_SEC} (corpus/{GOV}.md): "
            "“Provan en Kenis onderscheiden drie vormen van netwerkgovernance.”") in md
    assert f"2. Financiering › {FIN_SEC} (corpus/{FIN}.md): “Bouw een mix van middelen op.”" in md
    assert md.count("**Bronnen**") == 1  # the refusal has no sources
    update = ui._export(turns)
    path = Path(update["value"])
    assert update["visible"] and path.suffix == ".md" and path.read_text(encoding="utf-8") == md
    assert ui._export([]) == gr.update(visible=False)


def test_a_page_number_appears_in_the_markdown_export():
    answer = Answer("q", "Een nota [1].", [cite(1, CH_UPLOAD, "Een nota uit een upload.")], False, "offline")
    md = fmt.conversation_markdown([{"question": "q", "answer": answer.to_json()}])
    assert "1. Nota, p. 2 (corpus/uploads/nota.md): “Een nota uit een upload.”" in md


def test_the_mode_label_names_the_language_model(tmp_settings):
    fake = FakeAssistant(tmp_settings)
    assert ui._mode_label(fake) == "offline (zonder taalmodel)"
    fake.llm, fake.mode = object(), "ollama:qwen"
    assert ui._mode_label(fake) == "ollama:qwen"


# -- documents ----------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("..\\x.pdf", "x.pdf"),
    ("..\\..\\windows\\system32\\evil.docx", "evil.docx"),
    ("/absolute/path/nota.md", "nota.md"),
    ("rap\x00port\n.pdf", "rap_port_.pdf"),
    ("a\x1b[31mrood.txt", "a_31mrood.txt"),
    ("fac\u202etxt.pdf", "fac_txt.pdf"),
    (".verborgen.md", "verborgen.md"),
    ("..", "document"),
    ("", "document"),
    ("Beleidsnota coördinatie – 2024.pdf", "Beleidsnota coördinatie _ 2024.pdf"),
])
def test_safe_filename_strips_directories_and_control_characters(name, expected):
    clean = safe_filename(name)
    assert clean == expected
    assert "/" not in clean and "\\" not in clean and not clean.startswith(".")
    assert not re.search(r"[\x00-\x1f\x7f]", clean)


def test_safe_filename_keeps_the_extension_of_long_names(tmp_settings, tmp_path):
    name = "Beleidsnota over de STEM-alliantie van de regio Neteland " * 3 + ".pdf"  # 175 characters
    pdf = tmp_path / "upload.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    library, _ = _library(tmp_settings)
    assert library.add([(name, pdf)]).skipped == []
    assert safe_filename(name).endswith(".pdf") and len(safe_filename(name)) <= 120


def _library(tmp_settings, max_mb: float = 20.0) -> tuple[DocumentLibrary, FakeIngestor]:
    settings = tmp_settings.model_copy(deep=True)
    settings.ui.max_upload_mb = max_mb
    ingestor = FakeIngestor()
    return DocumentLibrary(settings, ingestor), ingestor


def test_the_library_rejects_wrong_types_with_a_dutch_reason(tmp_settings, tmp_path):
    library, ingestor = _library(tmp_settings)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    bare = tmp_path / "README"
    bare.write_text("tekst", encoding="utf-8")
    report = library.add([("tool.exe", exe), ("README", bare)])
    assert [k.path for k in report.skipped] == ["tool.exe", "README"]
    exe_reason, bare_reason = (k.reason for k in report.skipped)
    assert exe_reason.startswith("bestandstype .exe wordt niet aanvaard (wel: .pdf, .docx, .md")
    assert bare_reason.startswith("bestandstype (geen) wordt niet aanvaard")
    assert list(library.uploads.iterdir()) == [] and ingestor.runs == 1


def test_the_library_rejects_oversize_uploads_with_a_dutch_reason(tmp_settings, tmp_path):
    library, _ = _library(tmp_settings, max_mb=0.5)
    big = tmp_path / "groot.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (700 * 1024))
    report = library.add([("groot.pdf", big)])
    assert [k.reason for k in report.skipped] == ["te groot (0.7 MB, limiet 0.5 MB)"]
    assert not (library.uploads / "groot.pdf").exists()
    with pytest.raises(UploadRejected, match="te groot"):
        library._accept("groot.pdf", big)


def test_accepted_uploads_land_in_the_uploads_folder_under_a_safe_name(tmp_settings, tmp_path):
    library, _ = _library(tmp_settings)
    src = tmp_path / "gradio-tmp-123"
    src.write_text("# Nota\n\nTekst.", encoding="utf-8")
    report = library.add([("../../../etc/nota.md", src), ("..\\..\\win.txt", src)])
    assert report.skipped == []
    assert sorted(p.name for p in library.uploads.iterdir()) == ["nota.md", "win.txt"]
    assert not (tmp_settings.data_dir.parent / "etc").exists()


def test_uploads_are_ingested_listed_and_deleted_through_the_handlers(tmp_path, embeddings):
    """The Documenten tab's handlers on a real library and a tiny real index of its own."""
    from tests.conftest import make_pdf

    settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", corpus_dirs=[ROOT / "corpus"])
    fake = FakeAssistant(settings)
    s = ui.Services(fake, DocumentLibrary(settings, Ingestor(settings, embeddings)),
                    FeedbackStore(tmp_path / "fb.sqlite3"), GUIDE, NetworkScan(settings))
    pdf = make_pdf(tmp_path / "tmpupload.pdf", ["Coördinatie van de STEM-academie in Geel: één aanspreekpunt.",
                                                 "Tweede pagina over het sjabloon voor een partnerkaart."])
    calls = []

    def progress(value, desc=None):
        calls.append((value, desc))

    assert ui._add(s, [str(pdf)], False, progress)[0] == "Meld je eerst aan."
    assert ui._add(s, [], True, progress)[0] == "Kies eerst één of meer bestanden."
    exe = tmp_path / "x.exe"
    exe.write_bytes(b"MZ")

    class Upload(str):
        orig_name = "Advies Geel.pdf"

    report, rows, choice, files = ui._add(s, [Upload(pdf), str(exe)], True, progress)
    assert report.startswith("**1 document(en) toegevoegd**") and files is None
    assert "- Overgeslagen: `x.exe`: bestandstype .exe wordt niet aanvaard" in report
    assert rows == ui._doc_rows(s) and len(rows) == 1
    doc_id, title, source, chunks, ingested, uploaded = rows[0]
    assert doc_id == "uploads/Advies Geel" and uploaded == "ja" and chunks >= 1 and ingested
    assert choice["choices"] == ["uploads/Advies Geel"]
    assert calls[0] == (0, "Indexeren…") and calls[-1][0][0] == calls[-1][0][1]

    assert ui._remove(s, "uploads/Advies Geel", False)[0] == "Meld je eerst aan."
    assert ui._remove(s, "", True)[0] == "Kies eerst een document."
    assert "alleen toegevoegde" in ui._remove(s, "draaiboek/00-hoe-dit-draaiboek-gebruiken", True)[0]
    msg, rows, choice = ui._remove(s, "uploads/Advies Geel", True)
    assert msg == "`uploads/Advies Geel` is verwijderd." and rows == [] and choice["choices"] == []
    assert not (s.library.uploads / "Advies Geel.pdf").exists()


def test_the_admin_login_opens_the_documents_tab():
    ok, login, manage, msg = ui._login("geheim", "geheim")
    assert ok and login == gr.update(visible=False) and manage == gr.update(visible=True) and msg == ""
    ok, login, manage, msg = ui._login("geheim", "fout")
    assert not ok and manage == gr.update(visible=False) and msg == "Dat wachtwoord klopt niet."
    assert ui._login(None, "")[0] is False


# -- feedback -----------------------------------------------------------------------


def test_feedback_is_logged_rated_and_exported_as_csv(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    a = store.log_question("Wat is een projectvereniging?", "Een vorm [1].", False, "offline")
    b = store.log_question("Hoe laat is het?", SENTINEL, True, "offline")
    assert b == a + 1
    store.add_feedback(a, 1, "  Duidelijk, dank je.  ")
    store.add_feedback(b, -1)
    with pytest.raises(ValueError):
        store.add_feedback(a, 0)
    out = tmp_path / "feedback.csv"
    assert store.export_csv(out) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["tijdstip", "vraag", "antwoord", "geweigerd", "modus", "beoordeling", "opmerking"]
    assert [r[1:] for r in rows[1:]] == [
        ["Wat is een projectvereniging?", "Een vorm [1].", "0", "offline", "1", "Duidelijk, dank je."],
        ["Hoe laat is het?", SENTINEL, "1", "offline", "-1", ""]]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rows[1][0])


def test_gaps_rank_refused_and_down_rated_questions_by_frequency(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for q in ["Hoe laat vertrekt de trein?", "hoe laat  vertrekt de TREIN?", "Hoe laat vertrekt de trein?"]:
        store.log_question(q, SENTINEL, True, "offline")
    for _ in range(2):
        qid = store.log_question("Wat kost een coördinator?", "Veel [1].", False, "offline")
        store.add_feedback(qid, -1)
    liked = store.log_question("Wat is een projectvereniging?", "Een vorm [1].", False, "offline")
    store.add_feedback(liked, 1)
    store.log_question("Wat is STEM?", "Wetenschap [1].", False, "offline")
    refused_and_down = store.log_question("Wie is de burgemeester?", SENTINEL, True, "offline")
    store.add_feedback(refused_and_down, -1)
    assert store.gaps() == [
        ("hoe laat vertrekt de trein?", 3, 3, 0),
        ("wat kost een coördinator?", 2, 0, 2),
        ("wie is de burgemeester?", 1, 1, 1),
    ]
    assert store.gaps(limit=1) == [("hoe laat vertrekt de trein?", 3, 3, 0)]
