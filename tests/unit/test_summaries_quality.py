"""Summaries a facilitator would send, without the embedding model: housekeeping kept out of
the points, an overview that does not open mid-thought, generic action patterns, the shipped
scorer, and output that no transcript text can turn into markup or a `javascript:` link."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from companion.core.housekeeping import housekeeping_kind, opens_mid_thought
from companion.core.schemas import Evidence, Session, Turn
from companion.core.settings import Settings
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.chunk_vectors import ChunkVectors
from companion.features.summaries.extractive import ExtractiveSummariser
from companion.features.summaries.models import ActionItem, Summary, SummaryPoint
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.render_html import HtmlRenderer
from companion.features.summaries.safety import md_text, safe_link
from companion.features.summaries.scorer import FEATURES, WEIGHTS, load_scorer

HOSTILE = [
    "<script>alert('x')</script> Please read the budget paper before the review.",
    "The <img src=x onerror=alert(1)> report says demand for the service doubled last year.",
    "See [the guidance](javascript:alert(document.cookie)) on how funding rules changed.",
]


class HashEmbeddings:
    """Deterministic unit vectors from a text's hash: enough for code paths that embed."""

    def embed_many(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=384)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 384)


def _session(lines: list[tuple[str, str]]) -> Session:
    turns = [Turn(index=i, speaker=who, text=text, start=12.0 * i, end=12.0 * i + 10)
             for i, (who, text) in enumerate(lines)]
    return Session(id="s1", title="Budget <b>review</b>", turns=turns, content_hash="h",
                   facilitator="Sam <i>Lee</i>")


def _summariser() -> ExtractiveSummariser:
    return ExtractiveSummariser(HashEmbeddings(), Settings())


MEETING = [
    ("Sam", "Hi everyone, thanks for joining, can everyone see my screen?"),
    ("Ravi", "Hello, I'm Ravi Shah and I work in the analysis team."),
    ("Sam", "But the funding model has to change before the spring allocation round."),
    ("Ravi", "The current formula rewards schools that already have strong bids."),
    ("Sam", "We agreed that the new formula will weight deprivation more heavily."),
    ("Ravi", "The pilot in the northern region cut waiting times by a third."),
    ("Sam", "Teachers said the application forms take far too long to complete."),
    ("Ravi", "A shorter form with twelve questions tested well with head teachers."),
    ("Sam", "I'll send the revised formula to the finance board by Friday."),
    ("Ravi", "The evaluation needs a comparison group from schools outside the pilot."),
    *[(who, text) for who, text in zip(["Sam", "Ravi"] * 3, HOSTILE, strict=False)],
    ("Sam", "Anyway, has anyone got plans for the weekend?"),
]


# -- housekeeping and the overview ---------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("Hi all, I'm Sam Patel and I run the data team.", "introduction"),
    ("My name is Dana and I'm the project manager.", "introduction"),
    ("I lead on supplier contracts for the estates and facilities teams.", "introduction"),
    ("Dana Lee is Head of Data now, and before that she ran the survey unit.", "introduction"),
    ("Ravi is our senior analyst, so he has built most of these models.", "introduction"),
    ("The director is keen that we publish the model in the spring.", None),
    ("I lead on the budget line, so the final call on the formula is mine.", None),
    ("Good morning everyone.", "greeting"),
    ("Can everyone see my screen now?", "logistics"),
    ("You're on mute, I think.", "logistics"),
    ("How was your weekend, did you get away?", "small talk"),
    ("The call is recorded so that absent members can catch up.", "logistics"),
    ("We're recording this so the night shift can watch it later.", "logistics"),
    ("Here are our notes from the March away day.", "logistics"),
    ("Twenty colleagues attended, most of them from regional offices.", "logistics"),
    ("One request before we begin: phones on silent.", "logistics"),
    ("Sorry, apologies for the noise from the corridor.", "logistics"),
    ("A short record of each decision goes to the board.", None),
    ("The pilot cut waiting times by a third in the northern region.", None),
    ("We agreed to weight deprivation more heavily in the formula.", None),
    # the building and its admin (our wording; the dev corpora showed the need, issue 19)
    ("Before I forget, the fire drill has moved to Wednesday.", "logistics"),
    ("We've only got the training room until three, so I'll be quick.", "logistics"),
    ("The next huddle is on Monday at eight.", "logistics"),
    ("The attendance sheet is going round, please sign it.", "logistics"),
    ("Your locker key is at reception.", "logistics"),
    ("Drinks are on the back table for anyone staying on.", "small talk"),
    ("Milk prices for dairy farmers fell by a fifth this year.", None),
    ("The next step is to test the ladder before the season starts.", None),
    ("Free school meals now cover snacks and transport for younger pupils.", None),
    ("We have got the budget for the new pilot boat until March.", None),
])
def test_housekeeping_kinds(text, kind):
    assert housekeeping_kind(text) == kind


def test_points_leave_out_introductions_greetings_and_small_talk():
    summary = _summariser().summarise(_session(MEETING))
    texts = [p.text for p in summary.overview + summary.key_points]
    assert texts
    assert not any(re.search(r"\b(?:I'm Ravi|see my screen|weekend|thanks for joining)\b", t)
                   for t in texts)


def test_overview_does_not_open_mid_thought_and_decisions_lead_key_points():
    summary = _summariser().summarise(_session(MEETING))
    assert summary.overview and not opens_mid_thought(summary.overview[0].text)
    assert not summary.overview[0].text.lower().startswith("but ")
    # Every overview item still quotes its turn (case aside), so it verifies.
    for p in summary.overview:
        turn = MEETING[p.citations[0].turn_start][1]
        assert p.citations[0].quote.lower() in turn.lower()


def test_chunk_vectors_map_turns_and_feed_salience():
    chunks = ChunkVectors.from_ranges([(0, 3), (4, 13)], np.eye(2, dtype=np.float32) * 3)
    assert np.allclose(chunks.for_turn(5), [0.0, 1.0])
    assert chunks.for_turn(99) is None
    summariser = ExtractiveSummariser(HashEmbeddings(), Settings(), lambda s: chunks)
    assert summariser.summarise(_session(MEETING)).key_points


def test_shipped_scorer_is_small_and_matches_the_features():
    assert WEIGHTS.exists() and WEIGHTS.stat().st_size < 1_000_000
    scorer = load_scorer()
    assert scorer is not None and scorer.features == FEATURES
    # One coefficient per feature, then one per cue word (their weights are learned, not listed).
    assert scorer.cues and scorer.coef.shape == (len(FEATURES) + len(scorer.cues),)


# -- actions by generic patterns -----------------------------------------------------------


@pytest.mark.parametrize(("line", "what", "when"), [
    ("I'll forward the audit findings to the regional leads by Monday.",
     "Forward the audit findings to the regional leads by Monday", "by Monday"),
    ("We will publish the revised criteria next week.", "Publish the revised criteria next week",
     "next week"),
])
def test_commitments_with_any_doing_verb(line, what, when):
    found = find_action_items(_session([("Noor", line)]))
    assert [(a.who, a.what, a.when) for a in found] == [("Noor", what, when)]


@pytest.mark.parametrize("line", [
    "I'll be honest, the first draft was weak.",
    "I'll tell you what surprised me most about the pilot.",
    "I think we'll see a rise in applications.",
    "I'll give you an example from the northern region.",
])
def test_statements_are_not_commitments(line):
    assert find_action_items(_session([("Noor", line)])) == []


def test_request_goes_to_whoever_replies():
    found = find_action_items(_session([
        ("Noor", "Could you circulate the costings to the board?"),
        ("Eli", "Sure, will do."),
    ]))
    assert len(found) == 1 and found[0].who == "Eli" and len(found[0].citations) == 2


# -- safe output ---------------------------------------------------------------------------


def _hostile_summary() -> Summary:
    summary = _summariser().summarise(_session(MEETING))
    ev = Evidence(session_id="s1", speaker="<script>x</script>", start=3.0, end=4.0,
                  turn_start=10, turn_end=10, quote=HOSTILE[0])
    extra = [SummaryPoint(text=t, citations=[ev]) for t in HOSTILE]
    action = ActionItem(who="[Eve](javascript:alert(1))", what=HOSTILE[2], when="<b>now</b>",
                        citations=[ev])
    return summary.model_copy(update={"key_points": summary.key_points + extra,
                                      "action_items": [action],
                                      "notice": "<img src=x onerror=alert(2)>"})


def _links(text: str) -> list[str]:
    """Link targets: Markdown `](...)` not escaped as `\\]`, and HTML `href` / `src`."""
    if text.startswith("<!DOCTYPE"):
        return re.findall(r"(?:href|src)=\"([^\"]*)\"", text)
    return re.findall(r"(?<!\\)\]\(([^)]*)\)", text)


@pytest.mark.parametrize("template", [
    "/sessions/{session_id}#t={seconds}",
    "javascript:alert(1)//{session_id}/{seconds}",
    "https://player.example/s/{session_id}#t={seconds}",
])
def test_no_markup_or_unsafe_link_survives_any_format(template):
    summary = _hostile_summary()
    for out in (MarkdownRenderer(template).summary(summary),
                HtmlRenderer(template).summary(summary)):
        lowered = out.lower()
        assert "<script" not in lowered and "<img" not in lowered
        assert "<b>now" not in lowered and "<i>lee" not in lowered and "<b>review" not in lowered
        assert "onerror=alert" not in lowered.replace("&lt;img src=x onerror=alert", "")
        links = _links(out)
        assert links and all(safe_link(u) == u for u in links), links
        assert not any("javascript:" in u.lower() for u in links)
    md = MarkdownRenderer(template).summary(summary)
    assert not re.search(r"(?<!\\)\]\(javascript:", md)
    assert "&lt;script&gt;" in md  # shown as typed, not dropped


def test_transcript_view_link_and_http_player():
    md = MarkdownRenderer()
    assert md.link("a b", 75.9, turn=4) == "/sessions/a%20b?turn=4#t=75"  # the transcript view
    assert MarkdownRenderer("https://p.example/{session_id}?t={seconds}").link("s1", 3) == \
        "https://p.example/s1?t=3"
    assert MarkdownRenderer("ftp://p.example/{session_id}").link("s1", 3) == "/sessions/s1#t=3"
    assert md_text("[x](javascript:y)") == "\\[x\\](javascript:y)"


# -- tidied points -------------------------------------------------------------------------


@pytest.mark.parametrize(("said", "shown"), [
    ("Um so this is the the plan for uh today's meeting .",
     "So this is the plan for today's meeting."),
    ("How how it will be done .", "How it will be done."),
    ("We need th the budget by March.", "We need the budget by March."),
])
def test_tidy_takes_out_fillers_and_stutters(said, shown):
    from companion.core.terms import content_terms
    from companion.features.summaries.tidy import tidy

    assert tidy(said) == shown
    assert set(content_terms(tidy(said))) <= set(content_terms(said))


def test_tidied_point_still_cites_the_words_as_said():
    lines = [("Ana", "Um the the new intake process cuts uh onboarding time by half for staff."),
             *MEETING[2:10]]
    summary = _summariser().summarise(_session(lines))
    for point in summary.overview + summary.key_points:
        quote = point.citations[0].quote
        assert quote.lower() in lines[point.citations[0].turn_start][1].lower()
        assert "the the" not in point.text.lower() and " uh " not in f" {point.text.lower()} "
