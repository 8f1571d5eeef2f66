"""Who to ask about an open question, as a learner reads it in the open-questions report."""

from __future__ import annotations

from companion.features.summaries.models import (
    CorpusQuestion,
    OpenQuestion,
    PeerRef,
)
from companion.features.summaries.render import MarkdownRenderer
from companion.features.summaries.render_html import HtmlRenderer

PEER = PeerRef(person_id="selin", name="Selin Okonkwo-Hale", role="Lab scientist",
               reason="Spoke about it in 3 sessions", contact="mailto:selin@example.org")


def _question() -> CorpusQuestion:
    asked = OpenQuestion(question="Who calibrates the spectrometer after a power cut?",
                         asked_by="Bram", reason="nobody answered")
    return CorpusQuestion(session_id="lab-week-1", session_title="Lab week 1", question=asked,
                          peers=[PEER])


def test_open_question_peers_show_role_why_and_a_mailto_link():
    md = MarkdownRenderer().open_questions([_question()])
    line = next(x for x in md.splitlines() if "Selin" in x)
    assert "Lab scientist" in line and "Spoke about it in 3 sessions" in line
    assert "(<mailto:selin@example.org>)" in line and "mailto:mailto:" not in line
    html = HtmlRenderer().open_questions([_question()])
    assert 'href="mailto:selin@example.org"' in html and "Lab scientist" in html


def test_a_contact_that_is_no_email_is_shown_as_written_without_a_link():
    room = _question()
    room.peers = [PEER.model_copy(update={"contact": "Room 4, ext. 221"})]
    md = MarkdownRenderer().open_questions([room])
    assert "Room 4, ext. 221" in md and "mailto:" not in md


KILN = [
    "[00:00:10] Ann Asker: I fire the kiln to cone six and keep glazed pots a finger apart on"
    " the kiln shelf, because a crowded kiln shelf makes the glaze run.",
    "[00:00:40] Ezra Expert: When the kiln has fired, let it cool overnight; opening a hot kiln"
    " cracks the glaze on every pot.",
    "[00:01:10] Ann Asker: How long should a kiln cool before the glazed pots come out?",
]
PEOPLE = """\
people:
  - {id: ann, name: Ann Asker, aliases: [Ann], recommendable: true}
  - {id: ezra, name: Ezra Expert, recommendable: true}
"""


def test_an_open_question_never_suggests_the_person_who_asked_it(fake_ctx, tmp_path):
    from companion.features.peers.service import PeerService
    from companion.features.summaries.peers import suggest_peers
    from tests.peers.corpus import ingest_session

    ingest_session(fake_ctx, tmp_path, "pottery.txt", KILN, PEOPLE)
    topic = "How long should a kiln cool before the glazed pots come out?"
    anyone = [s.person_id for s in PeerService(fake_ctx, record=False).recommend(topic).suggestions]
    assert "ann" in anyone  # she has evidence: only being the asker leaves her out
    for label in ("Ann Asker", "Ann"):
        asked = suggest_peers(fake_ctx, topic, label, limit=3, session_id="pottery")
        assert "ann" not in [p.person_id for p in asked]
