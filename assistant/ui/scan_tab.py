"""The Netwerkscan tab: the form, the radar chart, the plan and the downloads."""

from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from ..index import IndexProblem
from ..scan import NetworkScan, ScanError, parse_answers
from . import format as fmt

VOICES = {"Beleidstaal (schepen)": "beleid", "Eenvoudige taal (B1)": "b1", "Academisch (student)": "academisch"}


def scan_tab(scan: NetworkScan) -> None:
    """Build the tab; every question is a four-step radio, grouped by dimension."""
    cfg = scan.config
    gr.Markdown("Beantwoord de vragen zo eerlijk mogelijk. Je krijgt een profiel, een stappenplan voor "
                "12 maanden en een ontwerp van raadsnota; elke stap verwijst naar het draaiboek.")
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
    go = gr.Button("Maak mijn plan", variant="primary")
    error = gr.Markdown()
    with gr.Row():
        chart = gr.Image(label="Profiel", type="filepath", height=380)
        plan = gr.Markdown()
    files = gr.File(label="Downloads: plan (Markdown, PDF) en raadsnota (PDF)", file_count="multiple")
    ids = [q.id for d in cfg.dimensions for q in cfg.questions if q.dimension == d.id]
    fields = [f.id for f in cfg.context_fields]

    def run(municipality, voice_label, *values):
        ctx = dict(zip(fields, values[: len(fields)]))
        answers = dict(zip(ids, values[len(fields):]))
        return _run(scan, municipality, VOICES[voice_label], ctx, answers)

    go.click(run, [name, voice, *context, *radios], [error, chart, plan, files], api_name=False)


def _context_input(f):
    if f.kind == "keuze":
        return gr.Dropdown([(label, key) for key, label in f.choices.items()], label=f.label)
    if f.kind == "tekst":
        return gr.Textbox(label=f.label)
    return gr.Number(label=f.label, minimum=f.minimum, maximum=f.maximum,
                     precision=0 if f.kind == "geheel_getal" else None)


def _run(scan: NetworkScan, municipality: str, voice: str, context: dict, answers: dict):
    from ..scan_export import radar_png, write_council_note, write_plan_markdown, write_plan_pdf

    raw = {"gemeente": municipality, "context": {k: v for k, v in context.items() if v not in (None, "")},
           "antwoorden": {k: v for k, v in answers.items() if v is not None}}
    try:
        parsed = parse_answers(raw, scan.config)
        result = scan.run(parsed, voice)
    except (ScanError, IndexProblem) as exc:
        return f"**Nog niet volledig:** {fmt.esc(str(exc))}", None, "", None
    folder = Path(tempfile.mkdtemp(prefix="netwerkscan-"))
    chart = folder / "profiel.png"
    chart.write_bytes(radar_png(result))
    plan_md = write_plan_markdown(result, folder / "plan-van-aanpak.md")
    outputs = [str(plan_md), str(write_plan_pdf(result, folder / "plan-van-aanpak.pdf")),
               str(write_council_note(result, folder / "raadsnota.pdf"))]
    return "", str(chart), plan_md.read_text(encoding="utf-8"), outputs
