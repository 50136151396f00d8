"""The plan of approach and the draft council note (raadsnota) of a netwerkscan result, as documents.

Both are :class:`~assistant.scan.blocks.Document` objects; the council note follows the
draaiboek's model raadsbesluit (chapter 16), then adds a timeline. Numbers are written the
Dutch way (12.500 and 0,15).
"""

from __future__ import annotations

from assistant.scan.blocks import Block, Document, Footnotes, StepItem, source_line
from assistant.scan.network import CouncilItem, ScanResult
from assistant.scan.plan import PlanStep

PLAN_HEADINGS = ("Uitgangssituatie", "Profiel per dimensie", "Prioritaire stappen", "Tijdlijn (12 maanden)", "Voetnoten")
# The council note follows the draaiboek's model raadsbesluit (chapter 16), then adds a timeline.
NOTE_HEADINGS = ("Aanleiding", "Juridische grond", "Argumentatie", "Financiële weerslag", "Besluit", "Tijdlijn", "Voetnoten")


def number_nl(value: float, decimals: int = 0) -> str:
    """Dutch number format: 12.500 and 0,15."""
    text = f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def euro(value: float) -> str:
    return f"€ {number_nl(value)}"


def fte(value: float) -> str:
    return number_nl(value, 2).rstrip("0").rstrip(",")


def months_label(months: tuple[int, int]) -> str:
    start, end = months
    return f"maand {start}" if start == end else f"maand {start}–{end}"


def _cooperation_sentence(result: ScanResult) -> str:
    field_ = next(f for f in result.config.context_fields if f.id == "samenwerking")
    value = result.context.get("samenwerking", "geen")
    region = result.context.get("regio")
    sentence = (
        "Er is nog geen vaste samenwerking met de buurgemeenten."
        if value == "geen" else f"De samenwerking met de buurgemeenten verloopt via {field_.choices[value]}."
    )
    return f"{sentence} Regio: {region}." if region else sentence


POSITION_WORDS = {"onder": "ligt onder de vork", "binnen": "ligt binnen de vork", "boven": "ligt boven de vork"}


def _comparison(result: ScanResult) -> str:
    """Where the current budget and staff time lie relative to the indicative range."""
    b = result.budget
    hours = number_nl(b.available_hours, 1).removesuffix(",0")
    money_pos = POSITION_WORDS[b.position(b.available_budget, b.operating)]
    hours_pos = POSITION_WORDS[b.position(b.available_hours, b.hours)]
    return (
        f"Het huidige werkingsbudget ({euro(b.available_budget)}) {money_pos}; "
        f"de beschikbare personeelstijd ({hours} uur per week) {hours_pos}."
    )


def template_values(result: ScanResult) -> dict[str, str]:
    """The values the council-note templates of the data file may use."""
    b, p, ctx = result.budget, result.profile, result.context
    return {
        "gemeente": result.municipality, "plaats": result.municipality,
        "inwoners": number_nl(ctx["inwoners"]), "samenwerking_zin": _cooperation_sentence(result),
        "personeelstijd": number_nl(ctx.get("personeelstijd", 0), 1).removesuffix(",0"),
        "budget": euro(ctx.get("budget", 0)), "fase": p.stage_name.lower(), "score": number_nl(p.score, 1),
        "sterk": _join_nl([d.short.lower() for d in p.strongest()]),
        "zwak": _join_nl([d.short.lower() for d in p.weakest()]),
        "aantal": str(len(result.plan)),
        "werking_min": euro(b.operating[0]), "werking_max": euro(b.operating[1]),
        "vte_min": fte(b.fte[0]), "vte_max": fte(b.fte[1]),
        "uren_min": number_nl(b.hours[0], 1).removesuffix(",0"), "uren_max": number_nl(b.hours[1], 1).removesuffix(",0"),
        "totaal_min": euro(b.total[0]), "totaal_max": euro(b.total[1]),
        "vergelijking": _comparison(result),
    }


def _join_nl(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _fill(template: str, values: dict[str, str]) -> str:
    return " ".join(template.format(**values).split())


def plan_document(result: ScanResult, chart: bytes | None = None) -> Document:
    """The plan of approach: situation, profile, prioritised steps, timeline, footnotes."""
    notes = Footnotes()
    voice = result.config.voices[result.voice]
    title = f"Plan van aanpak STEM-alliantie – {result.municipality}"
    blocks = [
        Block("title", title),
        Block("note", f"Netwerkscan van de STEM-Alliantiewijzer · {voice['naam']}, voor {voice['publiek']}"),
        Block("heading", PLAN_HEADINGS[0]),
        Block("bullets", items=_situation_lines(result)),
        Block("heading", PLAN_HEADINGS[1]),
        *_profile_blocks(result, chart),
        Block("heading", PLAN_HEADINGS[2]),
        Block("steps", items=[_step_item(s, result.voice, notes) for s in result.plan]),
        Block("heading", PLAN_HEADINGS[3]),
        Block("timeline", items=_timeline_rows(result.plan)),
        Block("heading", PLAN_HEADINGS[4]),
        Block("footnotes", items=notes.entries()),
    ]
    return Document(title, blocks)


def _situation_lines(result: ScanResult) -> list[str]:
    values = template_values(result)
    return [
        f"Gemeente of regio: {result.municipality}",
        f"Inwoners: {values['inwoners']}",
        _cooperation_sentence(result),
        f"Beschikbare personeelstijd: {values['personeelstijd']} uur per week",
        f"Werkingsbudget: {values['budget']} per jaar",
        f"Fase van de samenwerking als geheel: {result.profile.stage_name} (score {values['score']} op 4)",
    ]


def _profile_blocks(result: ScanResult, chart: bytes | None) -> list[Block]:
    rows = [[d.name, number_nl(d.score, 2), d.stage_name] for d in result.profile.dimensions]
    stage = result.config.stage(result.profile.stage)
    blocks = [Block("table", header=["Dimensie", "Score (1–4)", "Fase"], items=rows)]
    if chart is not None:
        blocks.append(Block("chart", "Radar van het profiel per dimensie", data=chart))
    blocks.append(Block("para", f"{stage.name}: {stage.description}"))
    return blocks


def _step_item(step: PlanStep, voice: str, notes: Footnotes) -> StepItem:
    return StepItem(
        title=step.advice.title,
        meta=f"{months_label(step.months)} · {step.dimension_name} · prioriteit {step.advice.priority}",
        body=step.text(voice),
        source=notes.noted(source_line(step.citations), step.citations),
    )


def _timeline_rows(plan: list[PlanStep]) -> list[tuple[str, int, int]]:
    ordered = sorted(plan, key=lambda s: (s.months[0], s.rank))
    return [(f"{s.rank}. {s.advice.title}", s.months[0], s.months[1]) for s in ordered]


def council_document(result: ScanResult) -> Document:
    """The draft council note, built like the draaiboek's model raadsbesluit.

    Aanleiding, juridische grond, argumentatie, financiële weerslag (the budget range cited
    to the draaiboek's cost estimate) and a besluit in articles, then the timeline and the
    footnotes. Placeholders in square brackets are for the administration to fill in.
    """
    notes = Footnotes()
    texts = result.config.council_texts[result.voice]
    values = template_values(result)
    voice = result.config.voices[result.voice]
    decided = {item.id: item for item in result.decision}

    def cited(items: list[CouncilItem]) -> list[Block]:
        return [Block("para", notes.noted(item.text_in(result.voice), item.citations)) for item in items]

    title = "Ontwerp van raadsnota"
    blocks = [
        Block("title", title),
        Block("para", f"Onderwerp: {_fill(texts['onderwerp'], values)}"),
        Block("note", "Ontwerp opgemaakt met de netwerkscan van de STEM-Alliantiewijzer "
                      f"({voice['naam']}); na te kijken en aan te vullen door de administratie."),
        Block("heading", NOTE_HEADINGS[0]),
        Block("para", _fill(texts["context"], values)),
        *cited(result.facts),
        Block("heading", NOTE_HEADINGS[1]),
        *cited([decided[i] for i in ("model-raadsbesluit",) if i in decided]),
        Block("bullets", items=list(result.config.legal_basis)),
        Block("heading", NOTE_HEADINGS[2]),
        Block("para", _fill(texts["motivering"], values)),
        *cited(result.motivation),
        Block("bullets", items=[notes.noted(f"{s.advice.title} ({months_label(s.months)})", s.citations)
                                for s in result.plan]),
        Block("heading", NOTE_HEADINGS[3]),
        Block("para", _fill(texts["budget"], values)),
        Block("note", notes.noted(result.budget.note, result.budget.citations)),
        *cited(result.funding),
        *cited([decided[i] for i in ("bbc",) if i in decided]),
        Block("heading", NOTE_HEADINGS[4]),
        *[Block("para", f"Artikel {n}. {_fill(t, values)}") for n, t in enumerate(texts["besluit"], start=1)],
        Block("heading", NOTE_HEADINGS[5]),
        Block("para", _fill(texts["tijdlijn"], values)),
        Block("timeline", items=_timeline_rows(result.plan)),
        Block("heading", NOTE_HEADINGS[6]),
        Block("footnotes", items=notes.entries()),
    ]
    return Document(title, blocks)
