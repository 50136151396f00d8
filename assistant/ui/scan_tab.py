"""The Netwerkscan tab: the form, the radar chart, the plan and the downloads.

Besides a single scan, the tab lets a user save the answers as YAML and load them again (to
finish later, or to re-scan a year later), compare with an earlier scan, and combine the
files of several municipalities into a regional profile. Handlers call the scan services
and format; they hold no scan logic of their own.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

import gradio as gr

from assistant.index.snapshot import IndexProblem
from assistant.scan import (
    NetworkScan,
    ScanAnswers,
    ScanError,
    ScanInputError,
    parse_answers,
)
from assistant.ui import format as fmt

VOICES = {"Beleidstaal (schepen)": "beleid", "Eenvoudige taal (B1)": "b1", "Academisch (student)": "academisch"}
YAML_TYPES = [".yaml", ".yml"]


def scan_tab(scan: NetworkScan) -> None:
    """Build the tab; every question is a four-step radio, grouped by dimension."""
    cfg = scan.config
    gr.Markdown("Beantwoord de vragen zo eerlijk mogelijk. Je krijgt een profiel, een stappenplan voor "
                "12 maanden en een ontwerp van raadsnota; elke stap verwijst naar het draaiboek. Bewaar je "
                "antwoorden als YAML-bestand: zo werk je later verder of vergelijk je volgend jaar met een nieuwe scan.")
    with gr.Accordion("Verder invullen of opnieuw scannen", open=False):
        with gr.Row():
            load = gr.File(label="Eerder bewaarde antwoorden laden (YAML)", file_types=YAML_TYPES, type="filepath")
            previous = gr.File(label="Vorige scan om mee te vergelijken (YAML, optioneel)", file_types=YAML_TYPES,
                               type="filepath")
        load_note = gr.Markdown()
    name = gr.Textbox(label="Gemeente of regio", value="")
    context = [_context_input(f) for f in cfg.context_fields]
    radios = []
    for dim in cfg.dimensions:
        with gr.Accordion(dim.name, open=False):
            for q in cfg.questions:
                if q.dimension == dim.id:
                    radios.append(gr.Radio([(f"{i}. {label}", i) for i, label in enumerate(q.labels, 1)],
                                           label=f"{q.id}. {q.text}"))
    voice = gr.Radio(list(VOICES), value="Beleidstaal (schepen)", label="Schrijfstijl")
    with gr.Row():
        go = gr.Button("Maak mijn plan", variant="primary")
        save = gr.Button("Antwoorden bewaren (YAML)")
    saved = gr.File(label="Je antwoorden (YAML)")
    error = gr.Markdown()
    with gr.Row():
        chart = gr.Image(label="Profiel", type="filepath", height=380)
        plan = gr.Markdown()
    files = gr.File(label="Downloads: plan (Markdown, PDF, Word), raadsnota (PDF, Word) en je antwoorden (YAML)",
                    file_count="multiple")
    ids = [q.id for d in cfg.dimensions for q in cfg.questions if q.dimension == d.id]
    fields = [f.id for f in cfg.context_fields]

    def form(municipality, values) -> ScanAnswers:
        ctx = {k: v for k, v in zip(fields, values[: len(fields)]) if v not in (None, "")}
        answers = {k: v for k, v in zip(ids, values[len(fields):]) if v is not None}
        return ScanAnswers(municipality or "", answers, ctx, datetime.date.today())

    def run(municipality, voice_label, earlier, *values):
        return _run(scan, form(municipality, values), VOICES[voice_label], earlier)

    def keep(municipality, *values):
        return _save(scan, form(municipality, values))

    def fill(path):
        return _load(scan, path, fields, ids)

    inputs = [name, *context, *radios]
    go.click(run, [name, voice, previous, *context, *radios], [error, chart, plan, files], api_name=False)
    save.click(keep, inputs, [saved], api_name=False)
    load.upload(fill, [load], [load_note, *inputs], api_name=False)
    with gr.Accordion("Regionaal profiel: de scans van meerdere gemeenten samen", open=False):
        _region_section(scan)


def _context_input(f):
    if f.kind == "keuze":
        return gr.Dropdown([(label, key) for key, label in f.choices.items()], label=f.label)
    if f.kind == "tekst":
        return gr.Textbox(label=f.label)
    return gr.Number(label=f.label, minimum=f.minimum, maximum=f.maximum,
                     precision=0 if f.kind == "geheel_getal" else None)


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="netwerkscan-"))


def _file_name(municipality: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in municipality.lower()).strip("-")
    return f"netwerkscan-{slug or 'antwoorden'}-{datetime.date.today().isoformat()}.yaml"


def _problems(exc: ScanError | IndexProblem) -> str:
    items = getattr(exc, "problems", None) or [str(exc)]
    return "\n".join(f"- {fmt.esc(p)}" for p in items)


# -- one municipality ----------------------------------------------------------------


def _save(scan: NetworkScan, answers: ScanAnswers) -> str:
    """Write the (possibly unfinished) answers as a YAML file to download."""
    from assistant.scan import write_answers

    return str(write_answers(answers, scan.config, _folder() / _file_name(answers.municipality)))


def _load(scan: NetworkScan, path: str | None, fields: list[str], ids: list[str]) -> list:
    """Fill the form from an answers file; a note says what was loaded and what is still missing."""
    from assistant.scan import read_draft

    unchanged = [gr.update()] * (1 + len(fields) + len(ids))
    if not path:
        return ["", *unchanged]
    try:
        draft = read_draft(Path(path), scan.config)
    except ScanInputError as exc:
        return [f"**Dit bestand kan niet geladen worden:**\n\n{_problems(exc)}", *unchanged]
    a = draft.answers
    note = f"Geladen: **{fmt.esc(a.municipality or 'naam ontbreekt')}**, {len(a.answers)} van {len(ids)} vragen beantwoord."
    if draft.problems:
        note += "\n\nNog aan te vullen of te verbeteren:\n\n" + "\n".join(f"- {fmt.esc(p)}" for p in draft.problems)
    return [note, a.municipality, *[a.context.get(f) for f in fields], *[a.answers.get(q) for q in ids]]


def _run(scan: NetworkScan, form: ScanAnswers, voice: str, earlier: str | None):
    """Profile, plan (compared with an earlier scan if one is given) and all downloads."""
    from assistant.scan import (
        compare_scans,
        council_report,
        plan_report,
        to_markdown,
        write_answers,
        write_docx,
        write_markdown,
        write_pdf,
    )

    raw = {"gemeente": form.municipality, "context": form.context, "antwoorden": form.answers,
           "datum": form.date.isoformat()}
    try:
        answers = parse_answers(raw, scan.config)
        comparison = compare_scans(scan.config, _earlier(scan, earlier), answers) if earlier else None
        result = scan.run(answers, voice)
    except (ScanError, IndexProblem) as exc:
        return f"**Nog niet volledig:**\n\n{_problems(exc)}", None, "", None
    folder = _folder()
    plan = plan_report(result, comparison)
    chart = next(b.data for b in plan.blocks if b.kind == "chart")
    (folder / "profiel.png").write_bytes(chart)
    note = council_report(result, comparison)
    outputs = [write_markdown(plan, folder / "plan-van-aanpak.md", chart), write_pdf(plan, folder / "plan-van-aanpak.pdf"),
               write_docx(plan, folder / "plan-van-aanpak.docx"), write_pdf(note, folder / "raadsnota.pdf"),
               write_docx(note, folder / "raadsnota.docx"),
               write_answers(answers, scan.config, folder / _file_name(answers.municipality))]
    return "", str(folder / "profiel.png"), to_markdown(plan_report(result, comparison, chart=False)), [str(p) for p in outputs]


def _earlier(scan: NetworkScan, path: str) -> ScanAnswers:
    from assistant.scan import load_yaml

    try:
        return parse_answers(load_yaml(Path(path)), scan.config)
    except ScanInputError as exc:
        raise ScanInputError([f"Vorige scan ({Path(path).name}): {p}" for p in exc.problems]) from exc


# -- a region --------------------------------------------------------------------------


def _region_section(scan: NetworkScan) -> None:
    gr.Markdown("Laad de antwoordbestanden (YAML) van twee of meer gemeenten, en eventueel een regiobestand met "
                "de naam van de regio en haar gemeenten (zie `examples/regio/`). Je krijgt per dimensie de mediaan "
                "en de spreiding, wie voorop loopt en wie achterblijft, en stappen voor de regio als geheel.")
    uploads = gr.File(label="Antwoordbestanden van de gemeenten (en eventueel het regiobestand)",
                      file_count="multiple", file_types=YAML_TYPES, type="filepath")
    voice = gr.Radio(list(VOICES), value="Beleidstaal (schepen)", label="Schrijfstijl")
    go = gr.Button("Maak het regionale profiel", variant="primary")
    error = gr.Markdown()
    with gr.Row():
        chart = gr.Image(label="Regionaal profiel", type="filepath", height=420)
        text = gr.Markdown()
    files = gr.File(label="Downloads: regionaal profiel (Markdown, PDF, Word)", file_count="multiple")
    go.click(lambda paths, label: _run_region(scan, paths, VOICES[label]), [uploads, voice],
             [error, chart, text, files], api_name=False)


def _run_region(scan: NetworkScan, paths: list[str] | None, voice: str):
    """The regional profile of the uploaded files, with its downloads."""
    from assistant.scan import (
        RegionScan,
        read_region_files,
        region_document,
        region_radar,
        to_markdown,
        write_docx,
        write_markdown,
        write_pdf,
    )

    if not paths:
        return "Kies eerst de antwoordbestanden van minstens twee gemeenten.", None, "", None
    try:
        files = read_region_files([Path(p) for p in paths], scan.config)
        result = RegionScan(scan).run(files, voice)
    except (ScanError, IndexProblem) as exc:
        return f"**Het regionale profiel kan nog niet gemaakt worden:**\n\n{_problems(exc)}", None, "", None
    folder = _folder()
    chart = region_radar(result)
    (folder / "regio.png").write_bytes(chart)
    doc = region_document(result, chart)
    outputs = [write_markdown(doc, folder / "regionaal-profiel.md", chart),
               write_pdf(doc, folder / "regionaal-profiel.pdf"), write_docx(doc, folder / "regionaal-profiel.docx")]
    return "", str(folder / "regio.png"), to_markdown(region_document(result)), [str(p) for p in outputs]
