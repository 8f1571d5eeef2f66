"""Facilitator summaries with the real model and real stores: sections, citations, patterns,
the cache, consent and the Markdown a facilitator sends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from companion.app import build_pipeline
from companion.core.errors import NotFoundError
from companion.core.schemas import Session, Turn
from companion.features.summaries.actions import find_action_items
from companion.features.summaries.digest import build_digest
from companion.features.summaries.listener import make_listener
from companion.features.summaries.models import ActionItem, Summary, SummaryPoint
from companion.features.summaries.questions import find_open_questions
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.service import SummaryService
from companion.features.summaries.summariser import make_summariser

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FIRST_HUNDRED_DAYS = "2025-09-working-with-ministers-first-hundred-days"
BRIEFING_PACKS = "2026-09-briefing-packs-workshop-notes"
PRIVATE = "2026-11-restructure-listening-session"


def _session(lines: list[tuple[str, str]], section: str | None = None) -> Session:
    turns = [Turn(index=i, speaker=who, text=text, start=10.0 * i, end=10.0 * i + 9,
                  section=section) for i, (who, text) in enumerate(lines)]
    return Session(id="s1", title="t", turns=turns, content_hash="h")


def _all_citations(summary: Summary) -> list:
    items: list = [*summary.overview, *summary.key_points, *summary.tips,
                   *summary.action_items, *summary.open_questions]
    items += [p.point for p in summary.participants if p.point]
    return [c for item in items for c in item.citations]


# -- a sample session end to end -----------------------------------------------------------


def test_sample_summary_has_every_section_and_every_citation_verifies(samples_ctx):
    summary = SummaryService(samples_ctx).summary(FIRST_HUNDRED_DAYS)

    assert 3 <= len(summary.overview) <= 5
    assert summary.key_points and summary.tips
    assert summary.action_items and summary.open_questions
    assert {p.name for p in summary.participants} >= {"Dr Amara Okafor", "Jo Pemberton"}
    assert sum(p.word_share for p in summary.participants) == pytest.approx(1.0, abs=0.01)
    amara = next(p for p in summary.participants if p.name == "Dr Amara Okafor")
    assert amara.turns > 20 and amara.word_share > 0.5 and amara.point is not None
    citations = _all_citations(summary)
    assert citations and all(samples_ctx.verifier.citation_is_valid(c) for c in citations)
    assert all(c.session_id == FIRST_HUNDRED_DAYS for c in citations)
    assert summary.verification.dropped == 0
    # Overview sentences are distinct content, not filler or questions.
    texts = [p.text for p in summary.overview + summary.key_points]
    assert len(set(texts)) == len(texts)
    assert not any(t.endswith("?") or len(t.split()) < 6 for t in texts)


def test_sample_actions_and_open_questions_match_what_was_said(samples_ctx):
    summary = SummaryService(samples_ctx).summary(FIRST_HUNDRED_DAYS)

    friday = next(a for a in summary.action_items if "one-page note" in a.what)
    assert friday.who == "Dr Amara Okafor" and friday.when == "by Friday"
    # "And Amara, can you let me know ..." is Amara's to do, accepted with "Will do."
    template = next(a for a in summary.action_items if "cover note template" in a.what)
    assert template.who == "Dr Amara Okafor"
    assert [c.quote for c in template.citations][-1] == "Will do."
    questions = [q.question for q in summary.open_questions]
    assert "What do you do if the minister and the special adviser want different things?" \
        in questions
    # Kwame's question was answered on the spot.
    assert not any("win a minister's confidence" in q for q in questions)


# -- patterns ------------------------------------------------------------------------------


def test_action_items_who_what_and_when():
    session = _session([
        ("Priya Raman", "I'll circulate the checklist by the end of next week, and I'll send "
                        "the tracker link to everyone."),
        ("Jo Pemberton", "Lovely. Priya, can you add the dates to the calendar?"),
        ("Priya Raman", "Yes, I'll add them this week."),
        ("Tom Reyes", "I'll be honest, I never read the annex."),
        ("Tom Reyes", "Let's book a follow-up session for March."),
    ])
    items = find_action_items(session)

    by_what = {a.what: a for a in items}
    assert by_what["Circulate the checklist by the end of next week"].who == "Priya Raman"
    assert by_what["Circulate the checklist by the end of next week"].when == \
        "by the end of next week"
    assert by_what["Send the tracker link to everyone"].who == "Priya Raman"
    dates = by_what["Add the dates to the calendar"]
    assert dates.who == "Priya Raman" and dates.when == "this week"
    assert [c.turn_start for c in dates.citations] == [1, 2]  # request, then acceptance
    assert by_what["Book a follow-up session for March"].who is None
    assert not any("honest" in a.what for a in items)  # "I'll be honest" commits to nothing
    for item in items:
        for c in item.citations:
            assert c.quote in session.turns[c.turn_start].text


def test_notes_action_lists_name_their_owner():
    session = _session([
        ("Tom Reyes", "Tom Reyes to circulate the briefing pack template by 1 October."),
        ("Tom Reyes", "The visits team to share their deadlines with the mailing list."),
    ], section="Actions")

    assert [(a.who, a.what, a.when) for a in find_action_items(session)] == [
        ("Tom Reyes", "Circulate the briefing pack template by 1 October", "by 1 October"),
        ("The visits team", "Share their deadlines with the mailing list", None),
    ]


def test_open_questions_answered_deflected_and_not_questions(samples_ctx, embeddings):
    session = _session([
        ("Kwame", "How do you decide what goes in the weekend box for the minister?"),
        ("Amara", "Decisions first, in deadline order, then reading, with a cover note on top."),
        ("Ollie", "Will the new structure keep the current hybrid working patterns?"),
        ("Siobhan", "Honestly, I don't know yet, and I'm not going to guess."),
        ("Ollie", "Can you send me the slides from today's session?"),
        ("Siobhan", "Sure."),
        ("Tom", "That's the whole point of the box, isn't it?"),
        ("Jo", "Yes."),
        ("Mei Lin", "Who signs off the pack when Number 10 organises the visit?"),
    ])
    cfg = samples_ctx.settings.summaries
    open_q = find_open_questions(session, cfg, embeddings.embed_many)

    assert [(q.asked_by, q.question) for q in open_q] == [
        ("Ollie", "Will the new structure keep the current hybrid working patterns?"),
        ("Mei Lin", "Who signs off the pack when Number 10 organises the visit?"),
    ]
    assert open_q[0].reason.startswith("reply: Honestly, I don't know yet")
    assert open_q[1].reason == "no reply in the session"
    notes = _session([("Tom Reyes", "Should the pack go in the weekend box?")],
                     section="Open questions")
    assert [q.question for q in find_open_questions(notes, cfg, embeddings.embed_many)] == [
        "Should the pack go in the weekend box?"]


# -- cache ---------------------------------------------------------------------------------


def test_unchanged_reingest_does_not_regenerate_and_refresh_does(samples_ctx):
    service = SummaryService(samples_ctx)
    first = service.summary(FIRST_HUNDRED_DAYS)  # made on ingest by the listener
    assert service.generated == 0 and first.generated_at

    report = build_pipeline(samples_ctx).ingest([SAMPLES / "sessions"])
    assert FIRST_HUNDRED_DAYS in report.unchanged
    listener = make_listener(samples_ctx)
    session = samples_ctx.catalog.load_session(FIRST_HUNDRED_DAYS)
    listener.session_stored(session, [])  # the same content stored again
    assert listener.service.generated == 0
    assert service.summary(FIRST_HUNDRED_DAYS).generated_at == first.generated_at

    refreshed = service.summary(FIRST_HUNDRED_DAYS, refresh=True)
    assert service.generated == 1 and refreshed.generated_at != first.generated_at
    assert SummaryService(samples_ctx).summary(FIRST_HUNDRED_DAYS).generated_at == \
        refreshed.generated_at


def test_changed_session_regenerates_and_delete_removes_the_cache(ctx, tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text("[00:00:05] Tom Reyes: Put the recommendation in the first paragraph of "
                    "every submission you write.\n[00:00:20] Kwame Mensah: What about the "
                    "timing of the decision?\n[00:00:30] Tom Reyes: The timing goes in the "
                    "first paragraph too, with what happens if we miss it.\n", encoding="utf-8")
    pipeline = build_pipeline(ctx)
    pipeline.ingest([path])
    service = SummaryService(ctx)
    before = service.summary("talk")
    path.write_text(path.read_text(encoding="utf-8") + "[00:00:45] Tom Reyes: I'll send the "
                    "template round by Friday.\n", encoding="utf-8")
    pipeline.ingest([path])
    after = service.summary("talk")

    assert service.generated == 0  # the listener regenerated it on ingest, not this service
    assert after.content_hash != before.content_hash
    assert after.generated_at != before.generated_at
    assert [a.when for a in after.action_items] == ["by Friday"]

    pipeline.delete("talk")
    assert service.store.get("talk") is None
    with pytest.raises(NotFoundError):
        service.summary("talk")


# -- markdown ------------------------------------------------------------------------------


def test_markdown_reads_as_an_email_with_mmss_links(samples_ctx):
    service = SummaryService(samples_ctx)
    render = MarkdownRenderer(samples_ctx.settings.summaries.link_template)
    md = render.summary(service.summary(FIRST_HUNDRED_DAYS))

    assert md.startswith("# Working with ministers - the first hundred days\n")
    assert "**Date:** 18 September 2025" in md and "**Facilitator:** Jo Pemberton" in md
    for heading in ("Overview", "Key points", "Tips", "Actions", "Open questions",
                    "Participants"):
        assert f"\n## {heading}\n" in md
    link = re.compile(r"— [^\n]+, \[(\d+):(\d{2})\]\(/sessions/"
                      + FIRST_HUNDRED_DAYS + r"\?turn=[\d-]+#t=(\d+)\)$", re.M)
    found = link.findall(md)
    assert found and all(int(m) * 60 + int(s) == int(t) for m, s, t in found)
    notes = render.summary(service.summary(BRIEFING_PACKS))
    assert "— Tom Reyes, notes" in notes and "](/sessions/" not in notes


def test_link_template_points_at_a_player():
    render = MarkdownRenderer("https://intranet.example/s/{session_id}#t={seconds}")
    item = ActionItem(who="Tom", what="Send it", when="by Friday", citations=[_evidence(751.4)])
    assert render.action(item) == \
        "- **Tom**: Send it (*by Friday*) — Tom, [12:31](https://intranet.example/s/s1#t=751)"


def _evidence(start: float):
    from companion.core.schemas import Evidence

    return Evidence(session_id="s1", speaker="Tom", start=start, end=start + 5, turn_start=3,
                    turn_end=3, quote="I'll send it.")


# -- consent, digest, corpus ---------------------------------------------------------------


def test_private_session_is_for_admins_only(samples_ctx):
    service = SummaryService(samples_ctx)
    with pytest.raises(NotFoundError):
        service.summary(PRIVATE, private=False)
    summary = service.summary(PRIVATE, private=True)
    assert summary.consent is False
    assert "Not for sharing" in MarkdownRenderer().summary(summary)

    shared = build_digest(service, "Wellbeing and change")
    assert [s.session_id for s in shared.sessions] == ["2026-03-resilience-during-restructure"]
    assert all(c.session_id != PRIVATE for a in shared.action_items for c in a.citations)
    admin = build_digest(service, "wellbeing and change", private=True)
    assert PRIVATE in [s.session_id for s in admin.sessions]


def test_series_digest_merges_across_sessions(samples_ctx):
    service = SummaryService(samples_ctx)
    digest = build_digest(service, "Working with ministers")
    since = build_digest(service, "Working with ministers", since="2026-01-01")

    assert [s.date for s in digest.sessions] == sorted(s.date for s in digest.sessions)
    assert len(digest.sessions) == 5 and len(since.sessions) == 3
    assert all(s.overview is not None for s in digest.sessions)
    assert digest.key_points and digest.tips
    assert {a.who for a in digest.action_items} >= {"Jo Pemberton", "Marcus Bell"}
    template = next(q for q in digest.open_questions if "cover note" in q.question)
    assert template.answered_in == ["2026-05-red-box-lunch-and-learn-notes"]
    md = MarkdownRenderer().digest(digest)
    assert md.startswith("# Working with ministers: series digest") and "## Actions" in md
    with pytest.raises(NotFoundError):
        build_digest(service, "No such series")


def test_open_questions_across_the_corpus_with_peers(samples_ctx):
    from companion.features.people import PeopleDirectory
    from companion.features.people.loader import load_people_file
    from companion.features.summaries.corpus import CorpusQuestions

    PeopleDirectory(samples_ctx.catalog).upsert(load_people_file(SAMPLES / "people.yaml"))
    steps: list[tuple[str, int, int]] = []
    found = CorpusQuestions(SummaryService(samples_ctx)).all(
        progress=lambda stage, done, total: steps.append((stage, done, total)))

    # Progress: every session, then every question, each stage counting up to its total.
    sessions = [s for s in steps if s[0] == "sessions"]
    questions = [s for s in steps if s[0] == "questions"]
    assert sessions[-1][1] == sessions[-1][2] >= len(samples_ctx.catalog.list_sessions()) > 10
    assert questions[-1][1] == questions[-1][2] == len(found)
    assert steps.index(questions[0]) > steps.index(sessions[-1])
    assert all(q.session_id != PRIVATE for q in found)
    hostile = next(q for q in found if "openly hostile" in q.question.question)
    assert hostile.answered_in[0].session_id == "2026-08-select-committee-preparation-notes"
    assert samples_ctx.verifier.citation_is_valid(hostile.answered_in[0].citation)
    assert not hostile.peers  # answered elsewhere: nobody needs to be asked
    still_open = [q for q in found if q.still_open]
    assert still_open and any(q.peers for q in still_open)
    # Ollie Grant did not agree to be recommended.
    assert all(p.person_id != "ollie-grant" for q in still_open for p in q.peers)
    assert "## Still open" in MarkdownRenderer().open_questions(found)


# -- the abstractive seam ------------------------------------------------------------------


class RecordingSummariser:
    """A stand-in for an LLM summariser: records what it was asked, returns one bad citation."""

    name = "fake-llm"
    version = "1"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def summarise(self, session: Session) -> Summary:
        self.asked.append(session.id)
        turn = session.turns[0]
        good = _evidence(0).model_copy(update={
            "session_id": session.id, "speaker": turn.speaker, "turn_start": turn.index,
            "turn_end": turn.index, "quote": turn.text.split(".")[0]})
        bad = good.model_copy(update={"quote": "words nobody said in this session"})
        return Summary(session_id=session.id, title=session.title,
                       content_hash=session.content_hash, generator=self.name,
                       key_points=[SummaryPoint(text=good.quote, citations=[good]),
                                   SummaryPoint(text="An invented point.", citations=[bad])])


def test_unsupported_items_are_dropped_and_counted(samples_ctx):
    fake = RecordingSummariser()
    summary = SummaryService(samples_ctx, summariser=fake).summary(FIRST_HUNDRED_DAYS)

    assert fake.asked == [FIRST_HUNDRED_DAYS]
    assert [p.text for p in summary.key_points] == [
        "Right, I think we're about quorate, and people are still drifting in from the lifts, "
        "so do grab a sandwich and find a seat"]
    assert summary.verification.dropped == 1
    assert summary.verification.reasons == {"quote not found in the cited turns": 1}


def test_unusable_llm_provider_falls_back_to_extractive_with_a_notice(samples_ctx):
    samples_ctx.settings.llm = samples_ctx.settings.llm.model_copy(
        update={"provider": "no-such-provider"})
    summariser, notice = make_summariser(samples_ctx)
    assert summariser.name == "llm" and notice is None
    summary = SummaryService(samples_ctx, summariser).summary(FIRST_HUNDRED_DAYS, refresh=True)
    assert summary.notice and "no-such-provider" in summary.notice
    assert "extractive summary" in summary.notice and summary.generator == "extractive"
    assert summary.overview and summary.key_points


_SELF_INTRODUCTION = re.compile(
    r"^\W*(?:(?:hi|hello|so|and|well|um|okay)\W+)*(?:(?:hi|hello) (?:all|everyone)\W+)?"
    r"(?:I'm|I am|my name is|my name's)\s+(?-i:[A-Z][a-z]+)", re.I)


def test_no_introduction_or_housekeeping_among_points_of_any_sample(samples_ctx):
    service = SummaryService(samples_ctx)
    sessions = [s.id for s in samples_ctx.catalog.list_sessions()]
    points = [p.text for s in service.summaries(sessions, private=True)
              for p in s.key_points + s.overview]
    assert len(points) > 50
    intros = [p for p in points if _SELF_INTRODUCTION.match(p)]
    chores = [p for p in points if re.search(
        r"\b(?:grab a (?:sandwich|coffee)|find a seat|on mute|share my screen|welcome to)\b",
        p, re.I)]
    assert intros == [] and chores == []


def test_abstractive_prompt_numbers_passages_and_maps_citations_back():
    from companion.features.summaries.passages import (
        citation_for,
        numbered_passages,
        summary_messages,
    )

    session = _session([("Amara", "Put the ask first."),
                        ("Tom", "I'll send the <b>template</b> by Friday.")])
    user = summary_messages(session)[-1].content
    assert '<passage id="2" speaker="Tom" time="0:10">' in user
    assert "&lt;b&gt;template&lt;/b&gt;" in user  # data cannot open or close elements
    passages = numbered_passages(session)
    cited = citation_for("s1", passages, 2, "I'll send the")
    assert (cited.turn_start, cited.speaker, cited.start) == (1, "Tom", 10.0)
    assert citation_for("s1", passages, 9, "made up").turn_start == -1  # fails verification
