"""The learner-question log: grouping, weekly counts, retention and forget."""

from __future__ import annotations

from companion.app import Companion
from companion.core.schemas import Answer, Citation
from companion.core.traces import Traces


def _answer(abstained: bool) -> Answer:
    cites = [] if abstained else [Citation(
        session_id="s", session_title="S", speaker="Amara", start=1.0, end=2.0,
        turn_start=0, turn_end=0, quote="Two pages at most.")]
    return Answer(question="q", answer="x", abstained=abstained, citations=cites)


def test_same_question_asked_twice_is_one_unanswered_item(fake_ctx):
    insights = Companion(ctx=fake_ctx).insights
    insights.record("Who runs the Leeds office?", _answer(True), "key_1")
    insights.record("  who runs the leeds office ", _answer(True), "key_1")
    insights.record("How long is a submission?", _answer(False), "key_1")
    report = insights.report()
    assert [(u.question, u.count) for u in report.unanswered] == [("who runs the leeds office", 2)]
    assert report.total == 3 and report.answered == 1 and report.answered_share == 0.333
    assert report.weekly[-1].asked == 3 and report.weekly[-1].unanswered == 2


def test_retention_and_forget_delete_questions(fake_ctx):
    insights = Companion(ctx=fake_ctx).insights
    insights.record("What did Priya Shah say about budgets?", _answer(True))
    insights.record("How long is a submission?", _answer(False))
    fake_ctx.catalog.conn.execute("UPDATE learner_questions SET asked_at = '2001-01-01T00:00:00'"
                                  " WHERE question LIKE 'How long%'")
    fake_ctx.catalog.conn.commit()
    assert insights.purge() == 1
    assert insights.forget(Traces.of(["Priya Shah"], [])) == 1
    assert insights.report().total == 0
