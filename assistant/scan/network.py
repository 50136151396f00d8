"""The netwerkscan service: from a checked answers file to a profile and a cited 12-month plan.

The flow is ``ScanConfig`` (the data file) plus ``ScanAnswers`` (a user's answers file) ->
``Profile`` (score and stage per dimension) -> selected advices -> ``ScanResult``, whose steps
carry :class:`~assistant.types.Citation` objects in the same form as chat answers. The
draaiboek index is only read to check that every named section exists and to pick the quote
of each citation; nothing happens at import time.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.citations import number_citations
from assistant.scan.answers import ScanAnswers, read_answers
from assistant.scan.budget import BudgetEstimate, estimate_budget
from assistant.scan.config import ScanConfig
from assistant.scan.errors import ScanInputError
from assistant.scan.parts import DEFAULT_VOICE, VOICES, SourceRef
from assistant.scan.plan import PlanStep, select_advices
from assistant.scan.profile import Profile, compute_profile
from assistant.scan.quotes import QuoteFinder
from assistant.settings import Settings
from assistant.types import Citation


@dataclass
class CouncilItem:
    """A cited statement of the council note, in every voice."""

    id: str
    text: dict[str, str]
    citations: list[Citation]

    def text_in(self, voice: str) -> str:
        """The statement in one voice."""
        return " ".join(self.text[voice].split())


@dataclass
class ScanResult:
    """Profile, prioritised plan and council-note material, in one voice."""

    municipality: str
    voice: str
    context: dict[str, Any]
    profile: Profile
    plan: list[PlanStep]
    facts: list[CouncilItem]
    motivation: list[CouncilItem]
    funding: list[CouncilItem]
    budget: BudgetEstimate
    config: ScanConfig = field(repr=False)
    decision: list[CouncilItem] = field(default_factory=list)

    def with_voice(self, voice: str) -> "ScanResult":
        """The same result and citations, written in another voice."""
        return dataclasses.replace(self, voice=check_voice(voice))

    def citations(self) -> list[Citation]:
        """Every distinct citation, in number order."""
        items = [*self.plan, *self.facts, *self.motivation, *self.funding, *self.decision, self.budget]
        unique = {c.n: c for item in items for c in item.citations}
        return [unique[n] for n in sorted(unique)]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON object: profile, plan (with chat-form citations), context, budget."""
        return {
            "municipality": self.municipality,
            "voice": self.voice,
            "context": self.context,
            "profile": self.profile.to_json(),
            "plan": [s.to_json(self.voice) for s in self.plan],
            "budget": self.budget.to_json(),
        }


def check_voice(voice: str) -> str:
    """Return ``voice`` or raise a Dutch error naming the allowed voices."""
    if voice not in VOICES:
        raise ScanInputError(f"Onbekende stem '{voice}'. Kies {', '.join(VOICES[:-1])} of {VOICES[-1]}.")
    return voice


class NetworkScan:
    """The netwerkscan service: validates answers and turns them into a cited plan.

    Args:
        settings: where the index lives (``settings.index_dir``).
        config: the scan data; loaded from ``assistant/scan/netwerkscan.yaml`` when omitted.
        snapshot: the index snapshot; loaded from ``settings.index_dir`` when first needed.
    """

    def __init__(self, settings: Settings, config: ScanConfig | None = None, snapshot=None):
        self.settings = settings
        self._config = config
        self._snapshot = snapshot
        self._finder: QuoteFinder | None = None

    @property
    def config(self) -> ScanConfig:
        """The scan data, loaded once."""
        if self._config is None:
            self._config = ScanConfig.load()
        return self._config

    @property
    def finder(self) -> QuoteFinder:
        """The quote finder over the index, built (and the sources checked) once."""
        if self._finder is None:
            if self._snapshot is None:
                from assistant.index.snapshot import SnapshotStore

                self._snapshot = SnapshotStore(self.settings.index_dir).load()
            finder = QuoteFinder(self._snapshot)
            self.config.check_sources(finder.sections())
            self._finder = finder
        return self._finder

    def read_answers(self, path: Path) -> ScanAnswers:
        """Read and validate an answers file (no index needed)."""
        return read_answers(path, self.config)

    def run(self, answers: ScanAnswers, voice: str = DEFAULT_VOICE) -> ScanResult:
        """Profile, plan and council-note material for ``answers``.

        Raises:
            ScanInputError: for an unknown voice.
            IndexMissing: when no index has been built.
            ScanConfigError: when the data file names sections missing from the index.
        """
        check_voice(voice)
        config = self.config
        profile = compute_profile(config, answers)
        advices = select_advices(config, profile, answers)
        blocks = [*config.facts, *config.motivation, *config.funding, *config.decision]
        rules = config.budget_rules
        groups = number_citations(
            [self._cite(a.sources, a.text[DEFAULT_VOICE]) for a in advices]
            + [self._cite(b.sources, b.text[DEFAULT_VOICE]) for b in blocks]
            + [self._cite(rules.sources, rules.note)]
        )
        steps = [
            PlanStep(rank, a, config.dimension(a.dimension).name, cites)
            for rank, (a, cites) in enumerate(zip(advices, groups), start=1)
        ]
        items = [CouncilItem(b.id, b.text, cites) for b, cites in zip(blocks, groups[len(advices):-1])]
        n_facts, n_motivation, n_funding = len(config.facts), len(config.motivation), len(config.funding)
        budget = dataclasses.replace(estimate_budget(rules, answers.context), citations=groups[-1])
        return ScanResult(
            municipality=answers.municipality, voice=voice, context=answers.context, profile=profile,
            plan=steps, facts=items[:n_facts], motivation=items[n_facts:n_facts + n_motivation],
            funding=items[n_facts + n_motivation:n_facts + n_motivation + n_funding], budget=budget,
            config=config, decision=items[n_facts + n_motivation + n_funding:],
        )

    def _cite(self, refs: tuple[SourceRef, ...], text: str) -> list[Citation]:
        # The quote is chosen once, from the policy wording, so all voices share citations.
        return [self.finder.cite(ref, text) for ref in refs]
