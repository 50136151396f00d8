"""The indicative budget of the council note: operating budget and staff for a municipality's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.scan.parts import BudgetRules
from assistant.types import Citation


@dataclass
class BudgetEstimate:
    """Indicative budget range for the council note, cited to the draaiboek's cost estimate."""

    operating: tuple[float, float]
    fte: tuple[float, float]
    hours: tuple[float, float]
    staff_cost: tuple[float, float]
    total: tuple[float, float]
    available_hours: float
    available_budget: float
    note: str
    citations: list[Citation] = field(default_factory=list)

    @staticmethod
    def position(value: float, bounds: tuple[float, float]) -> str:
        """'onder', 'binnen' or 'boven' the range."""
        return "onder" if value < bounds[0] else "boven" if value > bounds[1] else "binnen"

    def to_json(self) -> dict[str, Any]:
        return {
            "indicative": True, "note": self.note,
            "operating_eur_per_year": list(self.operating), "staff_fte": list(self.fte),
            "staff_hours_per_week": [round(h, 1) for h in self.hours],
            "staff_cost_eur_per_year": list(self.staff_cost), "total_eur_per_year": list(self.total),
            "available_hours_per_week": self.available_hours, "available_budget_eur_per_year": self.available_budget,
            "citations": [c.to_json() for c in self.citations],
        }


def estimate_budget(rules: BudgetRules, context: dict[str, Any]) -> BudgetEstimate:
    """The indicative range for a municipality or region of this size."""
    band = rules.band_for(int(context["inwoners"]))
    staff_cost = (_round_to(band.fte[0] * rules.cost_per_fte[0]), _round_to(band.fte[1] * rules.cost_per_fte[1]))
    return BudgetEstimate(
        operating=band.operating, fte=band.fte,
        hours=(band.fte[0] * rules.hours_per_fte, band.fte[1] * rules.hours_per_fte),
        staff_cost=staff_cost,
        total=(band.operating[0] + staff_cost[0], band.operating[1] + staff_cost[1]),
        available_hours=float(context.get("personeelstijd", 0)),
        available_budget=float(context.get("budget", 0)), note=rules.note,
    )


def _round_to(value: float, step: int = 500) -> float:
    return float(round(value / step) * step)
