"""The learning loop's service on real SQLite and Chroma (hashing embeddings): tries, outcomes,
reflections, evidence on tips, impact, forget and retention."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.app import Companion
from companion.core.errors import ForbiddenError, InputError, NotFoundError
from companion.core.schemas import REFLECTION_KIND
from companion.core.traces import Traces
from companion.features.loop.models import OutcomeIn, TryIn
from companion.features.loop.service import Caller
from companion.retrieval.context import Context
from ingest.audit import AuditLog

ORIGIN = "https://intranet.example"
OTHER = "https://elsewhere.example"
WORKSHOP = """\
[00:00:05] Amara Okafor: Put the decision you need in the first line of the submission.
[00:00:20] Tom Reyes: Keep a done list of everything your team delivered each week.
"""
SHARED = "I put the ask first and the deputy director signed it off the same afternoon"
SECRET = "my zebra quokka reflection stays private"


@pytest.fixture
def companion(ctx: Context, tmp_path: Path) -> Iterator[Companion]:
    # The real model: tips come from the learned advice detector, which reads real embeddings.
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "workshop.txt").write_text(WORKSHOP, encoding="utf-8")
    c = Companion(ctx=ctx)
    assert c.pipeline("test").ingest([folder]).ok
    yield c


def widget(origin: str = ORIGIN) -> Caller:
    return Caller(actor="key:intranet", key_id="k1", origin=origin, widget=True)


ADMIN = Caller(actor="key:admin", key_id="k0")


def first_tip(c: Companion) -> str:
    return c.tips.views.list_tips()[0].id


def test_outcomes_and_shared_reflections_show_on_the_tip(companion: Companion) -> None:
    loop, tip = companion.loop, first_tip(companion)
    a = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    b = loop.start(TryIn(tip_id=tip, learner="learner-2"), widget())
    loop.start(TryIn(tip_id=tip, learner="learner-3"), widget())  # still open
    loop.record_outcome(a.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True), widget())
    loop.record_outcome(b.id, OutcomeIn(outcome="did_not", reflection=SECRET), widget())

    detail = companion.tips.views.get(tip)
    assert detail.outcomes.model_dump() == {
        "tried": 3, "worked": 1, "partly": 0, "did_not": 1, "flagged": False}
    assert [r.quote for r in detail.reflections] == [SHARED]
    listed = next(t for t in companion.tips.views.list_tips() if t.id == tip)
    assert listed.outcomes.tried == 3


def test_a_shared_reflection_is_an_anonymous_citable_session(companion: Companion) -> None:
    loop, catalog = companion.loop, companion.ctx.catalog
    t = loop.start(TryIn(tip_id=first_tip(companion), learner="learner-1"), widget())
    done = loop.record_outcome(
        t.id, OutcomeIn(outcome="partly", reflection=SHARED, share=True), widget())
    session = catalog.load_session(done.reflection_session or "")
    assert session.kind == REFLECTION_KIND and session.consent
    assert [(turn.speaker, turn.text) for turn in session.turns] == [("A learner", SHARED)]
    assert "learner-1" not in session.model_dump_json()
    assert catalog.chunk_ids(session.id)  # chunked and indexed, so ask can find it
    # Changing one's mind unpublishes it.
    again = loop.record_outcome(
        t.id, OutcomeIn(outcome="partly", reflection=SHARED, share=False), widget())
    assert again.reflection_session is None and catalog.session_row(session.id) is None


def test_unshared_reflections_are_never_ingested_nor_shown_to_others(companion: Companion) -> None:
    loop, tip = companion.loop, first_tip(companion)
    t = loop.start(TryIn(tip_id=tip, learner="learner-2"), widget())
    loop.record_outcome(t.id, OutcomeIn(outcome="did_not", reflection=SECRET), widget())
    assert not any(s.kind == REFLECTION_KIND for s in companion.ctx.catalog.list_sessions())
    assert SECRET not in companion.tips.views.get(tip).model_dump_json()
    assert SECRET not in loop.learner_tries("learner-1", widget()).model_dump_json()
    assert SECRET not in loop.impact().model_dump_json()
    mine = loop.learner_tries("learner-2", widget())
    assert [r.reflection for r in mine.closed] == [SECRET]


def test_a_learner_is_bound_to_the_first_widget_origin(companion: Companion) -> None:
    loop, tip = companion.loop, first_tip(companion)
    t = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    with pytest.raises(ForbiddenError):
        loop.start(TryIn(tip_id=tip, learner="learner-1"), widget(OTHER))
    with pytest.raises(ForbiddenError):
        loop.learner_tries("learner-1", widget(OTHER))
    with pytest.raises(ForbiddenError):
        loop.record_outcome(t.id, OutcomeIn(outcome="worked"), widget(OTHER))
    with pytest.raises(ForbiddenError):
        loop.delete(t.id, widget(OTHER))
    with pytest.raises(ForbiddenError):
        loop.record_outcome(t.id, OutcomeIn(outcome="worked", learner="learner-9"), widget())
    # Admin keys (facilitators, the CLI) act for anyone.
    assert loop.learner_tries("learner-1", ADMIN).open[0].id == t.id


def test_bad_input_is_refused(companion: Companion) -> None:
    loop = companion.loop
    with pytest.raises(NotFoundError):
        loop.start(TryIn(tip_id="tip-doesnotexist", learner="learner-1"), widget())
    with pytest.raises(NotFoundError):
        loop.record_outcome("try-nope", OutcomeIn(outcome="worked"), widget())
    t = loop.start(TryIn(question="How long should a submission be?", learner="l1"), widget())
    too_long = "x" * (companion.settings.loop.max_reflection_chars + 1)
    with pytest.raises(InputError, match="characters"):
        loop.record_outcome(t.id, OutcomeIn(outcome="worked", reflection=too_long), widget())
    with pytest.raises(ValueError):
        TryIn(learner="l1")  # neither a tip nor a question
    with pytest.raises(ValueError):
        OutcomeIn(outcome="meh")  # type: ignore[arg-type]


def test_follow_up_is_due_after_the_configured_days(companion: Companion) -> None:
    loop = companion.loop
    loop.start(TryIn(tip_id=first_tip(companion), learner="l1"), widget())
    mine = loop.learner_tries("l1", widget())
    assert mine.due == 0 and mine.follow_up_days == 7
    companion.settings.loop.follow_up_days = 0
    assert loop.learner_tries("l1", widget()).due == 1


def test_deleting_and_forgetting_remove_tries_and_reflections(companion: Companion) -> None:
    loop, catalog, tip = companion.loop, companion.ctx.catalog, first_tip(companion)
    a = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    shared = loop.record_outcome(
        a.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True), widget())
    loop.delete(a.id, widget())
    assert catalog.session_row(shared.reflection_session or "") is None
    assert loop.learner_tries("learner-1", widget()).open == []

    b = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    shared = loop.record_outcome(
        b.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True), widget())
    report = loop.forget_learner("learner-1", ADMIN)
    assert (report.tries_removed, report.reflections_unpublished) == (1, 1)
    assert catalog.session_row(shared.reflection_session or "") is None
    assert companion.tips.views.get(tip).outcomes.tried == 0
    # Forgotten, the id may start afresh from another site; the audit never names it.
    loop.start(TryIn(tip_id=tip, learner="learner-1"), widget(OTHER))
    log = " ".join(e.model_dump_json() for e in AuditLog(catalog).entries(None))
    assert "learner.forgotten" in log and "try.deleted" in log and "learner-1" not in log


def test_retention_deletes_old_tries(companion: Companion) -> None:
    loop = companion.loop
    t = loop.start(TryIn(tip_id=first_tip(companion), learner="l1"), widget())
    loop.record_outcome(t.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True),
                        widget())
    with companion.ctx.catalog.transaction() as conn:
        conn.execute("UPDATE tries SET created_at = '2020-01-01T00:00:00+00:00'")
    assert loop.apply_retention("test", days=30) == 1
    assert loop.learner_tries("l1", ADMIN).closed == []
    assert not any(s.kind == REFLECTION_KIND for s in companion.ctx.catalog.list_sessions())


def test_forgetting_a_person_redacts_reflections_that_name_them(companion: Companion) -> None:
    loop = companion.loop
    t = loop.start(TryIn(tip_id=first_tip(companion), learner="l1"), widget())
    named = "Amara Okafor told me to put the ask first and it worked"
    done = loop.record_outcome(t.id, OutcomeIn(outcome="worked", reflection=named, share=True),
                               widget())
    counts = loop.forget_person(Traces.of(["Amara Okafor"], []))
    assert counts == {"reflections_redacted": 1}
    assert "Amara" not in loop.learner_tries("l1", ADMIN).model_dump_json()
    assert companion.ctx.catalog.session_row(done.reflection_session or "") is None


def test_impact_counts_by_week_tip_and_topic_and_flags_unhelpful_tips(
    companion: Companion,
) -> None:
    loop, tip = companion.loop, first_tip(companion)
    companion.settings.loop.flag_min_outcomes = 2
    for n, outcome in enumerate(("did_not", "did_not")):
        t = loop.start(TryIn(tip_id=tip, learner=f"l{n}"), widget())
        loop.record_outcome(t.id, OutcomeIn(outcome=outcome, reflection=SECRET), widget())
    loop.start(TryIn(question="How long should a submission be?", learner="l9"), widget())
    impact = loop.impact()
    assert impact.totals.tries == 3 and impact.totals.did_not == 2
    assert impact.totals.reflections_private == 2 and impact.totals.reflections_shared == 0
    assert [r.key for r in impact.tips] == [tip] and impact.tips[0].flagged
    assert impact.flagged == [tip] and companion.tips.views.get(tip).outcomes.flagged
    assert impact.topics and impact.series and impact.answers is not None
    assert len(impact.weeks) == 1 and impact.weeks[0].tries == 3


def test_outcomes_can_weigh_in_the_ranking(companion: Companion) -> None:
    views, loop = companion.tips.views, companion.loop
    last = views.list_tips()[-1].id
    for n in range(3):
        t = loop.start(TryIn(tip_id=last, learner=f"l{n}"), widget())
        loop.record_outcome(t.id, OutcomeIn(outcome="worked"), widget())
    assert views.list_tips()[0].id != last  # default: mentions alone
    companion.settings.tips.outcome_weight = 1.0
    assert views.list_tips()[0].id == last


def test_export_and_import_carry_tries_and_reflections(
    companion: Companion, tmp_path: Path
) -> None:
    from companion.core.settings import Settings
    from tests.fakes import HashingEmbeddings

    loop, tip = companion.loop, first_tip(companion)
    t = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    done = loop.record_outcome(
        t.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True), widget())
    companion.privacy.export(tmp_path / "export", "test")

    other = Context(Settings(data_dir=tmp_path / "other"), embeddings=HashingEmbeddings())
    try:
        there = Companion(ctx=other)
        there.privacy.import_(tmp_path / "export", "test")
        assert there.tips.views.get(tip).outcomes.worked == 1
        assert there.loop.learner_tries("learner-1", widget()).closed[0].reflection == SHARED
        assert other.catalog.session_row(done.reflection_session or "") is not None
        with pytest.raises(ForbiddenError):  # the binding to the widget origin came along
            there.loop.learner_tries("learner-1", widget(OTHER))
    finally:
        other.close()


def test_cli_impact_tips_show_and_learners_forget(
    companion: Companion, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from companion.core.settings import Settings
    from companion.faces import cli
    from companion.faces.cli import common

    monkeypatch.setattr(common, "_opened", {Settings().model_dump_json(): companion})
    cli._register()
    loop, tip = companion.loop, first_tip(companion)
    t = loop.start(TryIn(tip_id=tip, learner="learner-1"), widget())
    loop.record_outcome(t.id, OutcomeIn(outcome="worked", reflection=SHARED, share=True), widget())
    loop.start(TryIn(tip_id=tip, learner="learner-2"), widget())
    runner = CliRunner()

    impact = json.loads(runner.invoke(cli.app, ["impact", "--json"]).stdout)
    assert impact["totals"]["tries"] == 2 and impact["tips"][0]["key"] == tip
    shown = json.loads(runner.invoke(cli.app, ["tips", "show", tip, "--json"]).stdout)
    assert shown["outcomes"]["tried"] == 2 and shown["reflections"][0]["quote"] == SHARED
    text = runner.invoke(cli.app, ["tips", "show", tip]).stdout
    assert "learners: 2 tried · 1 worked" in text and SHARED in text

    out = runner.invoke(cli.app, ["learners", "forget", "learner-1"])
    assert out.exit_code == 0 and "removed 1 tries; 1 shared reflections unpublished" in out.stdout
    assert companion.tips.views.get(tip).outcomes.tried == 1
