"""Contradiction precision in the tips eval: wrong links count against the product."""

from __future__ import annotations

from dataclasses import asdict

from companion.features.tips.models import Tip, TipQuote, TipSupport
from evals.tips_eval import GoldOccurrence, GoldTip, TipsReport, evaluate, report_lines

GOLD = [
    GoldTip("g1", "Answer email the same day.", "email", (
        GoldOccurrence("s1", "A", "Answer every email the same day."),
        GoldOccurrence("s2", "B", "Reply to each email before you go home."),
    ), ("g2",)),
    GoldTip("g2", "Batch your email.", "email", (
        GoldOccurrence("s3", "C", "Batch your email twice a day."),
        GoldOccurrence("s4", "D", "Only open your inbox at ten and at four."),
    ), ("g1",)),
    GoldTip("g3", "Label every tube.", "lab", (
        GoldOccurrence("s1", "A", "Label every tube before it goes in the freezer."),
        GoldOccurrence("s3", "C", "Put your initials and the date on each tube."),
    ), ()),
]


def tip(tip_id: str, quotes: list[tuple[str, str]], contradicts: list[str]) -> Tip:
    return Tip(
        id=tip_id, text=quotes[0][1], topics=[],
        support=TipSupport(sessions=len({s for s, _ in quotes}), speakers=1),
        first_seen=None, last_seen=None, status="unreviewed", contradicts=contradicts,
        quotes=[TipQuote(session_id=s, speaker="A", start=None, end=None, turn_start=0,
                         turn_end=0, quote=q) for s, q in quotes],
    )


def product(links: dict[str, list[str]]) -> list[Tip]:
    """Three tips, each the best match of one gold tip, linked as `links` says."""
    return [
        tip("t-same-day", [("s1", "Answer every email the same day."),
                           ("s2", "Reply to each email before you go home.")],
            links.get("t-same-day", [])),
        tip("t-batch", [("s3", "Batch your email twice a day."),
                        ("s4", "Only open your inbox at ten and at four.")],
            links.get("t-batch", [])),
        tip("t-label", [("s1", "Label every tube before it goes in the freezer."),
                        ("s3", "Put your initials and the date on each tube.")],
            links.get("t-label", [])),
    ]


def printed(report: TipsReport) -> str:
    """The contradiction precision line of the printed report, without its label."""
    line = next(line for line in report_lines({"report": asdict(report)})
                if line.split()[:1] == ["contradiction_precision"])
    return line.split(None, 1)[1]


def test_one_right_and_one_wrong_link_give_precision_one_half():
    # Links are stored both ways; each unordered pair counts once.
    tips = product({"t-same-day": ["t-batch", "t-label"], "t-batch": ["t-same-day"],
                    "t-label": ["t-same-day"]})
    report = evaluate(tips, GOLD, {})
    assert report.contradiction_recall == 1.0  # the gold pair is linked ...
    assert (report.links, report.links_correct) == (2, 1)  # ... and so is an unopposed one
    assert report.contradiction_precision == 0.5
    assert printed(report) == "0.5 (1/2 links)"


def test_no_links_leave_precision_undefined_not_zero():
    report = evaluate(product({}), GOLD, {})
    assert report.contradiction_recall == 0.0
    assert (report.links, report.links_correct) == (0, 0)
    assert report.contradiction_precision is None
    assert printed(report) == "n/a (no links)"
