"""The tip registry with the real model, real Chroma and real SQLite, as a facilitator sees it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion.app import build_pipeline
from companion.core.errors import InputError, NotFoundError
from companion.features.tips.models import Tip
from companion.features.tips.registry import TipRegistry
from companion.features.tips.views import TipViews

pytestmark = pytest.mark.slow

SESSIONS = {
    "2025-01-ministers": (
        "title: Working with ministers\ndate: 2025-01-10\nseries: Working with ministers\n",
        "[00:00:05] Amara Okafor: Always brief the minister in writing before the meeting.\n"
        "[00:00:15] Tom Reyes: How long should the submission be?\n"
        "[00:00:25] Amara Okafor: Put the recommendation in the first paragraph of the"
        " submission.\n",
    ),
    "2025-02-submissions": (
        "title: Writing submissions\ndate: 2025-02-10\nseries: Policy craft\n",
        "[00:00:05] Tom Reyes: Put the recommendation in the first paragraph, not on page"
        " seven.\n"
        "[00:00:20] Priya Raman: Never brief the minister in writing before the meeting.\n",
    ),
    "2025-03-panel": (
        "title: Inside the private office\ndate: 2025-03-10\nseries: Working with ministers\n",
        "[00:00:05] Marcus Bell: Make sure the recommendation is in the first paragraph of every"
        " submission.\n"
        "[00:00:30] Hannah Whitfield: Keep a done list of everything your team delivered each"
        " week.\n",
    ),
    "2025-04-listening": (
        "title: Restructure listening session\ndate: 2025-04-10\nconsent: false\n",
        "[00:00:05] Siobhan Kerr: Put the recommendation in the first paragraph of the"
        " submission.\n"
        "[00:00:20] Siobhan Kerr: Book a weekly walk with someone from outside your own team.\n",
    ),
}


def write_session(folder: Path, name: str, meta: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(meta, encoding="utf-8")
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "sessions"
    for name, (meta, text) in SESSIONS.items():
        write_session(folder, name, meta, text)
    return folder


def ingest(ctx, *paths: Path):
    report = build_pipeline(ctx).ingest(list(paths))
    assert report.ok, report.failed
    return report


def tips(ctx, **kw) -> list[Tip]:
    return TipViews(ctx).list_tips(**kw)


def tip_saying(ctx, words: str, **kw) -> Tip:
    found = [t for t in tips(ctx, include_retired=True, **kw)
             if any(words in q.quote for q in t.quotes)]
    assert len(found) == 1, [t.text for t in tips(ctx, include_retired=True)]
    return found[0]


def ids(ctx) -> list[str]:
    return sorted(t.id for t in tips(ctx, include_retired=True))


def test_paraphrases_across_sessions_become_one_ranked_tip(ctx, corpus):
    ingest(ctx, corpus)
    ranked = tips(ctx)
    top = ranked[0]
    assert "recommendation" in top.text.lower()
    # Three consenting sessions and three people; the private session does not count.
    assert (top.support.sessions, top.support.speakers) == (3, 3)
    assert (top.first_seen, top.last_seen) == ("2025-01-10", "2025-03-10")
    assert top.status == "unreviewed"
    assert {"Working with ministers", "Policy craft"} <= set(top.topics)
    # One person in one session ranks below it.
    done_list = tip_saying(ctx, "done list")
    assert ranked.index(done_list) > 0 and done_list.support.sessions == 1


def test_quotes_from_sessions_without_consent_are_never_shown(ctx, corpus):
    ingest(ctx, corpus)
    shown = [q for t in tips(ctx, include_retired=True) for q in t.quotes]
    assert shown and all(q.session_id != "2025-04-listening" for q in shown)
    assert all("weekly walk" not in t.text for t in tips(ctx, include_retired=True))


def test_every_quote_is_verbatim_and_passes_the_verifier(samples_ctx):
    listed = tips(samples_ctx, include_retired=True)
    assert len(listed) > 10
    for tip in listed:
        for quote in tip.quotes:
            assert samples_ctx.verifier.citation_is_valid(quote.evidence()), quote


def test_opposite_advice_is_two_tips_linked_both_ways(ctx, corpus):
    ingest(ctx, corpus)
    always = tip_saying(ctx, "Always brief")
    never = tip_saying(ctx, "Never brief")
    assert always.id != never.id
    assert never.id in always.contradicts and always.id in never.contradicts


def test_ids_survive_reingest_changes_new_sessions_and_rebuild(ctx, corpus):
    ingest(ctx, corpus)
    before = ids(ctx)
    recommendation = tip_saying(ctx, "first paragraph of every").id

    assert ingest(ctx, corpus).unchanged  # unchanged files: a no-op
    assert ids(ctx) == before

    changed = corpus / "2025-02-submissions.txt"
    changed.write_text(changed.read_text() + "[00:00:40] Tom Reyes: Thanks everyone.\n")
    assert ingest(ctx, corpus).replaced == ["2025-02-submissions"]
    assert ids(ctx) == before

    write_session(corpus, "2025-05-workshop", "title: Drafting workshop\ndate: 2025-05-02\n",
                  "[00:00:05] Mei Lin Chen: Put the recommendation in the first paragraph of"
                  " the submission, always.\n")
    ingest(ctx, corpus)
    grown = tip_saying(ctx, "first paragraph of every")
    assert grown.id == recommendation and grown.support.sessions == 4

    TipRegistry(ctx).rebuild()
    assert tip_saying(ctx, "first paragraph of every").id == recommendation
    assert set(before) <= set(ids(ctx))


def test_reviews_survive_reingest_and_rebuild_with_history(ctx, corpus):
    ingest(ctx, corpus)
    tip_id = tip_saying(ctx, "first paragraph of every").id
    registry = TipRegistry(ctx)
    registry.review(tip_id, "approve", by="jo")
    registry.review(tip_id, "edit", by="jo", text="Lead with the ask: recommendation first.")
    retired = tip_saying(ctx, "done list").id
    registry.review(retired, "retire", by="sam")

    changed = corpus / "2025-01-ministers.txt"
    changed.write_text(changed.read_text().replace("How long", "So how long"))
    ingest(ctx, corpus)
    registry.rebuild()

    detail = TipViews(ctx).get(tip_id)
    assert detail.status == "approved" and detail.edited
    assert detail.text == "Lead with the ask: recommendation first."
    assert [(h.action, h.by) for h in detail.history][-2:] == [("approve", "jo"), ("edit", "jo")]
    assert retired not in {t.id for t in tips(ctx)}  # retired tips leave the ranking
    assert TipViews(ctx).get(retired).status == "retired"


def test_merge_redirects_and_survives_reingest(ctx, corpus):
    ingest(ctx, corpus)
    survivor = tip_saying(ctx, "first paragraph of every").id
    merged = tip_saying(ctx, "done list").id
    TipRegistry(ctx).review(survivor, "merge", by="jo", other_id=merged)

    views = TipViews(ctx)
    assert views.resolve(merged) == survivor
    assert merged not in ids(ctx)
    assert any("done list" in q.quote for q in views.get(survivor).quotes)
    assert views.get(survivor).merged_from == [merged]
    with pytest.raises(InputError):
        TipRegistry(ctx).review(merged, "approve", by="jo")

    changed = corpus / "2025-03-panel.txt"
    changed.write_text(changed.read_text() + "[00:00:50] Marcus Bell: Thanks all.\n")
    ingest(ctx, corpus)
    TipRegistry(ctx).rebuild()
    assert TipViews(ctx).resolve(merged) == survivor
    assert any("done list" in q.quote for q in TipViews(ctx).get(survivor).quotes)


def test_deleting_a_session_removes_its_quotes_and_empty_tips(ctx, corpus):
    ingest(ctx, corpus)
    pipeline = build_pipeline(ctx)
    done_list = tip_saying(ctx, "done list").id
    TipRegistry(ctx).review(done_list, "approve", by="jo")

    pipeline.delete("2025-03-panel")
    assert done_list not in ids(ctx)
    with pytest.raises(NotFoundError):
        TipViews(ctx).get(done_list)
    recommendation = tip_saying(ctx, "first paragraph")
    assert recommendation.support.sessions == 2
    assert all(q.session_id != "2025-03-panel" for t in tips(ctx) for q in t.quotes)

    # The reviewed tip was only hidden: the session coming back brings it back, still approved.
    ingest(ctx, corpus)
    again = tip_saying(ctx, "done list")
    assert again.id == done_list and again.status == "approved"


def test_topic_filters_by_meaning(samples_ctx):
    everything = tips(samples_ctx)
    about = tips(samples_ctx, topic="dealing with ministers and their private office", limit=None)
    assert about and len(about) < len(tips(samples_ctx, limit=None))
    assert about[0].id in {t.id for t in everything}
    assert tips(samples_ctx, topic="how to descale a kettle") == []


def test_cli_json_shape_and_show(ctx, corpus):
    ingest(ctx, corpus)
    ctx.close()
    run = subprocess.run([sys.executable, "-m", "companion", "tips", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert rows and all(
        set(r) == {"id", "text", "topics", "support", "first_seen", "last_seen", "status",
                   "contradicts", "quotes", "wording", "outcomes"} for r in rows
    )
    assert set(rows[0]["support"]) == {"sessions", "speakers"}
    assert set(rows[0]["quotes"][0]) == {"session_id", "speaker", "start", "end", "turn_start",
                                         "turn_end", "quote", "session_title", "url"}
    assert rows[0]["status"] in {"unreviewed", "approved", "retired"}

    show = subprocess.run([sys.executable, "-m", "companion", "tips", "show", rows[0]["id"]],
                          capture_output=True, text=True, timeout=300)
    assert show.returncode == 0, show.stderr
    assert rows[0]["text"] in show.stdout and "History:" in show.stdout
    missing = subprocess.run([sys.executable, "-m", "companion", "tips", "show", "tip-nope"],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 1 and missing.stderr.strip() == "error: no tip with id 'tip-nope'"
