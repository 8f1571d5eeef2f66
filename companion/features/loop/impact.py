"""Impact over time: questions, tries, outcomes and reflections per week, per tip, topic, series.

Only counts leave here: no learner id, no unshared reflection. Tries are counted in the week they
were made, outcomes and reflections in the week they were reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from companion.features.tips.models import Tip

# Weekly counts of questions learners asked (the insights log), by the week's Monday.
QuestionsByWeek = Callable[[int], Mapping[str, int]]
FIELDS = ("questions", "tries", "worked", "partly", "did_not", "reflections_shared",
          "reflections_private")


class ImpactCounts(BaseModel):
    """Counts for one week or in total."""

    questions: int = 0
    tries: int = 0
    worked: int = 0
    partly: int = 0
    did_not: int = 0
    reflections_shared: int = 0
    reflections_private: int = Field(default=0, description="counted, never shown")


class ImpactWeek(ImpactCounts):
    """One week (its Monday)."""

    week: str


class ImpactRow(BaseModel):
    """Totals and weeks for one tip, topic or series."""

    key: str
    label: str
    totals: ImpactCounts
    weeks: list[ImpactWeek]
    flagged: bool = Field(default=False, description="tips: many tried it, few found it useful")


class Impact(BaseModel):
    """What `companion impact --json` and `GET /v1/impact` print."""

    weeks: list[ImpactWeek] = Field(description="everything, week by week (oldest first)")
    totals: ImpactCounts
    tips: list[ImpactRow] = Field(default_factory=list)
    topics: list[ImpactRow] = Field(default_factory=list)
    series: list[ImpactRow] = Field(default_factory=list)
    answers: ImpactRow | None = Field(default=None, description="tries of answers, not tips")
    flagged: list[str] = Field(default_factory=list, description="tip ids to look at")


def week_of(iso_time: str) -> str:
    """The Monday of the week an ISO date or time falls in."""
    day = date.fromisoformat(iso_time[:10])
    return (day - timedelta(days=day.weekday())).isoformat()


def events(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A try's (week, field) events: the try itself, its outcome, its reflection."""
    out = [(week_of(row["created_at"]), "tries")]
    if row["outcome"]:
        week = week_of(row["outcome_at"] or row["created_at"])
        out.append((week, row["outcome"]))
        if row["reflection"]:
            out.append((week, "reflections_shared" if row["share"] else "reflections_private"))
    return out


class _Tally:
    def __init__(self) -> None:
        self.by_week: dict[str, dict[str, int]] = {}

    def add(self, week: str, field: str, n: int = 1) -> None:
        counts = self.by_week.setdefault(week, dict.fromkeys(FIELDS, 0))
        counts[field] += n

    def weeks(self) -> list[ImpactWeek]:
        return [ImpactWeek(week=w, **c) for w, c in sorted(self.by_week.items())]

    def totals(self) -> ImpactCounts:
        return ImpactCounts(**{f: sum(c[f] for c in self.by_week.values()) for f in FIELDS})


def build_impact(
    tries: Sequence[Mapping[str, Any]],
    tips: Iterable[Tip],
    series_of: Callable[[Tip], list[str]],
    survivor: Callable[[str], str | None],
    flagged: Iterable[str] = (),
    questions: Mapping[str, int] | None = None,
) -> Impact:
    """Aggregate tries into weekly figures.

    Args:
        tries: every try row.
        tips: the tips, for their text and topics.
        series_of: the session series a tip was given in.
        survivor: the id a tip is shown under now (merges), None when it is gone.
        flagged: tips many tried and few found useful.
        questions: questions asked per week (the insights log), if known.
    """
    shown = {t.id: t for t in tips}
    overall, answers = _Tally(), _Tally()
    per_tip: dict[str, _Tally] = {}
    per_topic: dict[str, _Tally] = {}
    per_series: dict[str, _Tally] = {}
    for week, n in (questions or {}).items():
        if n:
            overall.add(week, "questions", n)
    for row in tries:
        tip = shown.get(survivor(row["tip_id"]) or "") if row["tip_id"] else None
        targets = [overall]
        if row["tip_id"] is None:
            targets.append(answers)
        elif tip is not None:
            targets.append(per_tip.setdefault(tip.id, _Tally()))
            targets += [per_topic.setdefault(t, _Tally()) for t in tip.topics]
            targets += [per_series.setdefault(s, _Tally()) for s in series_of(tip)]
        for week, field in events(row):
            for tally in targets:
                tally.add(week, field)
    bad = set(flagged)

    def rows(tallies: dict[str, _Tally], label: Callable[[str], str]) -> list[ImpactRow]:
        out = [ImpactRow(key=k, label=label(k), totals=t.totals(), weeks=t.weeks(),
                         flagged=k in bad) for k, t in tallies.items()]
        out.sort(key=lambda r: (-r.totals.tries, r.key))
        return out

    return Impact(
        weeks=overall.weeks(), totals=overall.totals(),
        tips=rows(per_tip, lambda k: shown[k].text),
        topics=rows(per_topic, lambda k: k), series=rows(per_series, lambda k: k),
        answers=(ImpactRow(key="answers", label="answers tried", totals=answers.totals(),
                           weeks=answers.weeks()) if answers.by_week else None),
        flagged=sorted(bad),
    )
