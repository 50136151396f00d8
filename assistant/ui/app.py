"""The Gradio app: built from services, handlers only format.

``build_app(assistant)`` returns the Blocks; ``launch(app, settings)`` serves it.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.answer.assistant import Assistant
from assistant.answer.citations import source_note
from assistant.index.snapshot import IndexProblem
from assistant.ingest.guide import slug
from assistant.ingest.library import UploadRejected
from assistant.services import Services, build_services
from assistant.types import Answer
from assistant.ui import format as fmt
from assistant.ui.scan_tab import scan_tab

EXAMPLES = {
    "Gemeente": ["Hoe begin ik als kleine gemeente aan een STEM-alliantie?",
                 "Welke partners brengen we best eerst samen?"],
    "Schepen": ["Hoe financieren we een STEM-alliantie op lange termijn?",
                "Hoe verankeren we STEM in het meerjarenplan?"],
    "Student": ["Welke vormen van netwerkgovernance onderscheiden Provan en Kenis?",
                "Wat is collective impact en wat is de kritiek erop?"],
}

CSS = """
.aw-cite { text-decoration: none; font-weight: 600; color: var(--color-accent); cursor: pointer; }
.aw-sources ul { margin: .2em 0 0 1.2em; }
.aw-passage mark { background: #fff3a3; padding: 0 .1em; }
.aw-notice { color: #8a5a00; }
.aw-note, .aw-stale { color: #6b6b6b; font-size: .9em; }
.aw-stale { color: #a15c00; }
.aw-related ul, .aw-read-next ul { margin: .2em 0 0 1.2em; }
.aw-ask { cursor: pointer; }
#aw-click { display: none !important; }
"""

HEAD = """
<script>
document.addEventListener('click', (event) => {
  const ask = event.target.closest('a.aw-ask');
  if (ask) {
    event.preventDefault();
    const input = document.querySelector('#aw-question textarea, #aw-question input');
    const send = document.querySelector('#aw-send');
    if (!input || !send) return;
    input.value = ask.dataset.q;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => send.click(), 50);
    return;
  }
  const link = event.target.closest('a.aw-cite, a.aw-guide');
  if (!link) return;
  event.preventDefault();
  const box = document.querySelector('#aw-click textarea, #aw-click input');
  if (!box) return;
  const what = link.classList.contains('aw-cite')
    ? 'cite|' + link.dataset.chunk : 'guide|' + link.dataset.doc + '|' + link.dataset.sec;
  box.value = what + '|' + Date.now();
  box.dispatchEvent(new Event('input', { bubbles: true }));
});
</script>
"""

SCROLL_JS = """(anchor) => { setTimeout(() => {
  const el = document.getElementById(anchor); if (el) el.scrollIntoView({behavior: 'smooth'}); }, 400);
  return []; }"""


def build_app(assistant: Assistant, services: Services | None = None) -> gr.Blocks:
    """The whole web app around an assistant service."""
    s = services or build_services(assistant)
    with gr.Blocks(title="STEM-Alliantiewijzer") as app:
        gr.Markdown("# STEM-Alliantiewijzer\nVragen, draaiboek en netwerkscan voor een duurzame "
                    "regionale STEM-alliantie. Elk antwoord verwijst naar zijn bronnen.")
        click = gr.Textbox(elem_id="aw-click", visible="hidden", label="klik")
        with gr.Tabs() as tabs:
            with gr.Tab("Vraag het", id="chat"):
                panel = _chat_tab(s, click)
            with gr.Tab("Draaiboek", id="draaiboek"):
                chapter, chapter_html, anchor_box = _guide_tab(s)
            with gr.Tab("Netwerkscan", id="scan"):
                scan_tab(s.scan)
            with gr.Tab("Documenten", id="documenten"):
                _documents_tab(s)
            with gr.Tab("Over", id="over"):
                gr.Markdown(ABOUT)
        click.change(lambda v, q: _on_click(s, v, q), [click, panel["quotes"]],
                     [panel["passage"], tabs, chapter, chapter_html, anchor_box], api_name=False
                     ).then(None, [anchor_box], None, js=SCROLL_JS)

        def ask(question: str) -> dict:
            """Eén vraag; geeft het JSON-object van `alliantiewijzer ask --json`."""
            answer = s.assistant.ask(question)
            s.feedback.log_question(question, answer.text, answer.refused, answer.mode)
            return answer.to_json()

        gr.api(ask, api_name="ask")
    return app


# -- Vraag het ----------------------------------------------------------------------


def _chat_tab(s: Services, click: gr.Textbox) -> dict:
    turns = gr.State([])
    quotes = gr.State({})
    examples = [{"text": q, "display_text": f"{who}: {q}"} for who, qs in EXAMPLES.items() for q in qs]
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Gesprek", height=520, sanitize_html=False, examples=examples,
                              placeholder="Stel een vraag over het opzetten, besturen, financieren of "
                                          "borgen van een STEM-alliantie.", buttons=["copy"])
            with gr.Row():
                box = gr.Textbox(placeholder="Typ je vraag…", show_label=False, scale=5, max_length=1000,
                                 elem_id="aw-question")
                send = gr.Button("Vraag", variant="primary", scale=1, elem_id="aw-send")
            mode = gr.Markdown(f"Antwoordmodus: **{_mode_label(s.assistant)}**")
            with gr.Row():
                comment = gr.Textbox(placeholder="Opmerking bij je laatste beoordeling (optioneel)",
                                     show_label=False, scale=4)
                send_comment = gr.Button("Opmerking versturen", scale=1)
            with gr.Row():
                clear = gr.Button("Nieuw gesprek")
                export = gr.Button("Exporteer als Markdown")
            export_file = gr.File(label="Export", visible=False)
            status = gr.Markdown()
        with gr.Column(scale=2):
            passage = gr.HTML("<p><em>Klik op een bronnummer [n] om de passage hier te zien.</em></p>",
                              label="Bron")
    rated = gr.State(None)
    inputs, outputs = [box, chat, turns, quotes], [box, chat, turns, quotes, mode]

    def respond(message: str, history: list, turns_: list, quotes_: dict):
        yield from _respond(s, message, history, turns_, quotes_)

    box.submit(respond, inputs, outputs, api_name="chat")
    send.click(respond, inputs, outputs, api_name=False)

    def pick_example(event: gr.SelectData) -> str:
        return event.value["text"]

    def rate(turns_: list, event: gr.LikeData):
        return _rate(s, turns_, event)

    chat.example_select(pick_example, None, box, api_name=False).then(respond, inputs, outputs, api_name=False)
    chat.like(rate, [turns], [rated, status], api_name=False)
    send_comment.click(lambda t, r, text: _comment(s, t, r, text), [turns, rated, comment], [comment, status],
                       api_name=False)
    clear.click(lambda: ([], [], {}, "", gr.update(visible=False)), None,
                [chat, turns, quotes, status, export_file], api_name=False)
    export.click(lambda t: _export(t), [turns], [export_file], api_name=False)
    return {"passage": passage, "quotes": quotes}


def _mode_label(assistant: Assistant) -> str:
    return "offline (zonder taalmodel)" if assistant.llm is None else assistant.mode


def _respond(s: Services, message: str, chat: list, turns: list, quotes: dict):
    message = (message or "").strip()
    if not message:
        yield "", chat, turns, quotes, gr.update()
        return
    history = [(t["question"], t["answer"]["answer"]) for t in turns]
    chat = chat + [{"role": "user", "content": fmt.esc(message)}, {"role": "assistant", "content": "…"}]
    yield "", chat, turns, quotes, gr.update()
    try:
        partial = ""
        answer: Answer | None = None
        for event in s.assistant.stream(message, history):
            if isinstance(event, Answer):
                answer = event
            else:
                partial += event
                chat[-1] = {"role": "assistant", "content": fmt.esc(partial) + " …"}
                yield "", chat, turns, quotes, gr.update()
    except IndexProblem as exc:
        chat[-1] = {"role": "assistant", "content": fmt.esc(str(exc))}
        yield "", chat, turns, quotes, gr.update()
        return
    qid = s.feedback.log_question(message, answer.text, answer.refused, answer.mode)
    chat[-1] = {"role": "assistant", "content": fmt.answer_html(answer, s.guide)}
    turns = turns + [{"question": message, "answer": answer.to_json(), "id": qid, "message": len(chat) - 1}]
    quotes = {**quotes, **{c.chunk_id: c.quote for c in answer.citations},
              **{c.chunk_id: c.quote for c in answer.suggestions}}
    mode = f"Antwoordmodus: **{_mode_label(s.assistant) if answer.mode != 'offline' else 'offline (zonder taalmodel)'}**"
    yield "", chat, turns, quotes, mode


def _rate(s: Services, turns: list, event: gr.LikeData):
    index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
    turn = next((i for i, t in enumerate(turns) if t.get("message") == index), None)
    if event.liked is None or turn is None:
        return None, ""
    rating = 1 if event.liked else -1
    feedback_id = s.feedback.add_feedback(turns[turn]["id"], rating)
    return {"turn": turn, "rating": rating, "feedback": feedback_id}, "Bedankt voor je beoordeling."


def _comment(s: Services, turns: list, rated: dict | None, text: str):
    if not rated or not text.strip():
        return text, "Beoordeel eerst een antwoord met duim omhoog of omlaag."
    s.feedback.set_comment(rated["feedback"], text)
    return "", "Bedankt, je opmerking is bewaard."


def _export(turns: list):
    if not turns:
        return gr.update(visible=False)
    folder = Path(tempfile.mkdtemp(prefix="gesprek-"))
    path = folder / f"gesprek-{time.strftime('%Y%m%d-%H%M')}.md"
    path.write_text(fmt.conversation_markdown(turns), encoding="utf-8")
    return gr.update(value=str(path), visible=True)


def _on_click(s: Services, value: str, quotes: dict):
    parts = (value or "").split("|")
    keep = gr.update()
    if parts[0] == "cite" and len(parts) >= 2:
        found = s.assistant.passage(parts[1])
        if found is None:
            return "<p>Deze passage staat niet meer in de index.</p>", keep, keep, keep, ""
        chunk, section = found
        cfg = s.assistant.settings.answer
        notes = [source_note(r, date.today(), cfg.max_source_age_years) for r in section.sources]
        return fmt.passage_html(chunk, section, quotes.get(parts[1]), s.guide, notes), keep, keep, keep, ""
    if parts[0] == "guide" and len(parts) >= 3:
        chapter = s.guide.chapter(parts[1])
        if chapter is None:
            return keep, keep, keep, keep, ""
        return (keep, gr.Tabs(selected="draaiboek"), chapter.label, s.guide.render_html(chapter.doc_id),
                slug(parts[2]))
    return keep, keep, keep, keep, ""


# -- Draaiboek ----------------------------------------------------------------------


def _guide_tab(s: Services):
    labels = [c.label for c in s.guide.chapters]
    anchor_box = gr.Textbox(visible=False)
    with gr.Row():
        with gr.Column(scale=1):
            chapter = gr.Radio(labels, value=labels[0] if labels else None, label="Inhoud", elem_id="aw-toc")
            query = gr.Textbox(label="Zoeken in het draaiboek", placeholder="bv. projectvereniging")
            results = gr.HTML()
        with gr.Column(scale=3):
            content = gr.HTML(s.guide.render_html(s.guide.chapters[0].doc_id) if labels else "",
                              elem_id="aw-chapter")
    chapter.change(lambda label: _show_chapter(s, label), [chapter], [content], api_name=False)
    query.submit(lambda q: _search_guide(s, q), [query], [results], api_name=False)
    return chapter, content, anchor_box


def _show_chapter(s: Services, label: str) -> str:
    chapter = s.guide.by_label(label)
    return s.guide.render_html(chapter.doc_id) if chapter else ""


def _search_guide(s: Services, query: str) -> str:
    if not query.strip():
        return ""
    hits = [c for c in s.assistant.search(query, k=8) if c.doc_id.startswith("draaiboek/")]
    if not hits:
        return "<p>Niets gevonden.</p>"
    return "<ul>" + "".join(f"<li>{fmt.guide_link(c.doc_id, c.section, fmt.where(c))}</li>" for c in hits) + "</ul>"


# -- Documenten ---------------------------------------------------------------------


def _documents_tab(s: Services) -> None:
    password = s.assistant.settings.ui.admin_password
    authorized = gr.State(password is None)
    with gr.Column(visible=password is not None) as login:
        secret = gr.Textbox(label="Beheerderswachtwoord", type="password")
        login_btn = gr.Button("Aanmelden")
        login_msg = gr.Markdown()
    with gr.Column(visible=password is None) as manage:
        table = gr.Dataframe(_doc_rows(s), headers=DOC_HEADERS, interactive=False, label="Documenten in de index")
        files = gr.File(label="Documenten toevoegen (PDF, DOCX, Markdown, TXT, HTML)", file_count="multiple",
                        file_types=list(_UPLOAD_TYPES))
        add = gr.Button("Toevoegen en indexeren", variant="primary")
        report = gr.Markdown()
        with gr.Row():
            choice = gr.Dropdown(_uploaded(s), label="Toegevoegd document", scale=3)
            remove = gr.Button("Verwijderen", variant="stop", scale=1)
    login_btn.click(lambda p: _login(password, p), [secret], [authorized, login, manage, login_msg], api_name=False)
    add.click(lambda f, ok, progress=gr.Progress(): _add(s, f, ok, progress), [files, authorized],
              [report, table, choice, files], api_name=False)
    remove.click(lambda d, ok: _remove(s, d, ok), [choice, authorized], [report, table, choice], api_name=False)


DOC_HEADERS = ["document", "titel", "bron", "passages", "geïndexeerd", "toegevoegd"]
_UPLOAD_TYPES = (".pdf", ".docx", ".md", ".txt", ".html", ".htm")


def _doc_rows(s: Services) -> list[list]:
    return [[d.doc_id, d.title, d.source, d.chunks, d.ingested, "ja" if d.uploaded else ""] for d in s.library.list()]


def _uploaded(s: Services) -> list[str]:
    return [d.doc_id for d in s.library.list() if d.uploaded]


def _login(password: str | None, given: str):
    import hmac

    ok = password is not None and hmac.compare_digest(password.encode(), (given or "").encode())
    msg = "" if ok else "Dat wachtwoord klopt niet."
    return ok, gr.update(visible=not ok), gr.update(visible=ok), msg


def _add(s: Services, files, authorized: bool, progress):
    if not authorized:
        return "Meld je eerst aan.", gr.update(), gr.update(), None
    if not files:
        return "Kies eerst één of meer bestanden.", gr.update(), gr.update(), None
    pairs = [(Path(getattr(f, "orig_name", None) or Path(str(f)).name).name, Path(str(f))) for f in files]
    progress(0, desc="Indexeren…")
    report = s.library.add(pairs, progress=lambda done, total, desc: progress((done, total), desc=desc))
    lines = [f"**{len(report.added) + len(report.updated)} document(en) toegevoegd**, "
             f"{report.chunks_embedded} nieuwe passages, in {report.seconds:.1f} s."]
    lines += [f"- Overgeslagen: `{fmt.esc(k.path)}`: {fmt.esc(k.reason)}" for k in report.skipped]
    return "\n".join(lines), _doc_rows(s), gr.update(choices=_uploaded(s)), None


def _remove(s: Services, doc_id: str, authorized: bool):
    if not authorized:
        return "Meld je eerst aan.", gr.update(), gr.update()
    if not doc_id:
        return "Kies eerst een document.", gr.update(), gr.update()
    try:
        s.library.delete(doc_id)
    except UploadRejected as exc:
        return fmt.esc(str(exc)), gr.update(), gr.update()
    return f"`{fmt.esc(doc_id)}` is verwijderd.", _doc_rows(s), gr.update(choices=_uploaded(s), value=None)


ABOUT = """
## Over de STEM-Alliantiewijzer

De Alliantiewijzer helpt lokale besturen een **vaste regionale STEM-alliantie** te bouwen:
een blijvend netwerk van overheid, onderwijs, onderzoek en ondernemingen (het 4O-model).

**Waar de kennis vandaan komt.** Uit het draaiboek dat bij de Alliantiewijzer hoort (19
hoofdstukken, elk met zijn bronnen) en uit documenten die je zelf toevoegt. Bij elke bron zie je
wie ze uitgaf, wanneer en wat voor bron het is (overheid, onderzoek, pers, praktijk of presentatie);
een antwoord dat op een persbron of op de presentatie steunt, zegt dat. De assistent
antwoordt alleen met zinnen uit die bronnen en zet bij elke zin het nummer van de passage.
Staat iets niet in de bronnen, dan zegt hij dat, en verwijst hij naar de delen van het
draaiboek die het dichtst in de buurt komen.

**Hoe hij antwoordt.** Standaard zonder taalmodel: de assistent kiest de best passende zinnen
uit de gevonden passages. Een beheerder kan een taalmodel koppelen (Ollama of een
OpenAI-compatibele server); ook dan wordt elke bronverwijzing nagekeken.

**Wat er bewaard wordt.** De vragen die je stelt, of ze beantwoord werden, en je beoordeling
met je eventuele opmerking, in een SQLite-bestand op deze server. Zo zien de redacteurs welke
vragen het draaiboek nog niet beantwoordt. Er worden geen namen of accounts bewaard.
Toegevoegde documenten staan in de datamap van deze server.

**De netwerkscan** zet jouw antwoorden om in een stappenplan en een ontwerp van raadsnota;
elke stap verwijst naar het deel van het draaiboek waarop hij steunt.
"""


def launch(app: gr.Blocks, settings) -> None:
    """Serve the app; without an admin password it listens on the loopback interface only."""
    host = settings.ui.host if settings.ui.admin_password else "127.0.0.1"
    app.queue(default_concurrency_limit=settings.ui.concurrency, max_size=200)
    app.launch(server_name=host, server_port=settings.port, css=CSS, head=HEAD,
               max_file_size=int(settings.ui.max_upload_mb * 1024 * 1024), footer_links=["api"], show_error=False,
               theme=gr.themes.Soft())
