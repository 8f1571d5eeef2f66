"""Peer suggestions as a user sees them: who is (never) suggested, why, and the quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion.app import build_pipeline
from companion.core.errors import InputError
from companion.core.settings import PeersSettings, Settings
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PEOPLE = ROOT / "samples" / "people.yaml"

KILN = "\n".join([
    "[00:00:05] Ann Asker: How do you load a pottery kiln so the glaze does not run?"
    " What cone should the kiln fire to?",
    "[00:00:20] Pat Potter: When I load the kiln, what I do is keep glazed pots a finger apart on"
    " the kiln shelves and fire to cone six. I learned the hard way that glaze runs onto the kiln"
    " shelf if you fire hotter.",
    "[00:00:40] Tess Talker: Pottery kilns and glaze chemistry are fascinating, and kiln firing"
    " has changed a lot since the last century.",
    "[00:00:55] Guest: I have loaded pottery kilns for thirty years, and the glaze only runs when"
    " the kiln shelves are crowded.",
    "[00:01:10] Olive Optout: Loading a pottery kiln well means spacing the glazed pots, firing"
    " slowly and never overfilling the kiln shelves.",
    "[00:01:25] Ann Asker: And do you vent the kiln while it fires?",
]) + "\n"
# Participants did not consent: nothing said here may be shown to anyone.
PRIVATE = (
    "[00:00:05] Quinn Private: My secret for loading a pottery kiln is to stack the glazed pots on"
    " kiln shelves by cone, and to fire very slowly so the glaze never runs.\n"
)
KILN_PEOPLE = """\
people:
  - {id: ann, name: Ann Asker, recommendable: true}
  - {id: pat, name: Pat Potter, aliases: [Pat], recommendable: true, contact: pat@example.org}
  - {id: tess, name: Tess Talker, recommendable: true}
  - {id: olive, name: Olive Optout, recommendable: false}
  - {id: quinn, name: Quinn Private, recommendable: true}
"""
KILN_TOPIC = "loading a pottery kiln so the glaze does not run"


@pytest.fixture
def kiln_ctx(ctx: Context, tmp_path: Path) -> Context:
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "kiln-workshop.txt").write_text(KILN, encoding="utf-8")
    (folder / "kiln-private.txt").write_text(PRIVATE, encoding="utf-8")
    (folder / "kiln-private.yaml").write_text("consent: false\n", encoding="utf-8")
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(KILN_PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    return ctx


@pytest.fixture
def samples(samples_ctx: Context) -> Context:
    PeopleDirectory(samples_ctx.catalog).upsert(load_people_file(SAMPLE_PEOPLE))
    return samples_ctx


def ids(ctx: Context, topic: str, **kwargs: object) -> list[str]:
    result = PeerService(ctx, record=False).recommend(topic, limit=10, **kwargs)  # type: ignore[arg-type]
    return [s.person_id for s in result.suggestions]


# -- who is never suggested -------------------------------------------------------------------


def test_opted_out_unknown_and_private_only_speakers_are_never_suggested(kiln_ctx):
    for shadow in (False, True):
        suggested = ids(kiln_ctx, KILN_TOPIC, shadow=shadow)
        assert "pat" in suggested
        assert "olive" not in suggested  # recommendable: false
        assert "quinn" not in suggested  # spoke only in a session without consent
        assert not {"Guest", "guest"} & set(suggested)  # unknown speaker
        assert set(suggested) <= {"ann", "pat", "tess"}


def test_evidence_never_comes_from_sessions_without_consent(kiln_ctx, samples):
    result = PeerService(kiln_ctx, record=False).recommend(KILN_TOPIC, limit=10)
    assert all(e.session_id != "kiln-private" for s in result.suggestions for e in s.evidence)
    result = PeerService(samples, record=False).recommend("coping with a restructure", limit=10)
    assert result.suggestions
    assert all(e.session_id != "2026-11-restructure-listening-session"
               for s in result.suggestions for e in s.evidence)


def test_a_topic_only_unknown_or_opted_out_people_spoke_about_suggests_nobody(ctx, tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "bees.txt").write_text(
        "[00:00:05] Guest: When I keep bees I always check the hive for the queen every week.\n"
        "[00:00:20] Olive Optout: I smoke the beehive gently before I lift the frames out.\n"
        "[00:00:35] Pat Potter: Thanks, that was lovely, see you next week.\n",
        encoding="utf-8",
    )
    assert build_pipeline(ctx).ingest([folder]).ok
    (tmp_path / "people.yaml").write_text(KILN_PEOPLE, encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(tmp_path / "people.yaml"))
    result = PeerService(ctx).recommend("keeping bees and checking the hive")
    assert result.suggestions == []
    assert result.message is not None and result.message.startswith("Nobody I can suggest")


@pytest.mark.parametrize("asker", ["priya-raman", "Priya", "  priya RAMAN ", "Priya Raman"])
def test_the_asker_is_never_suggested_by_id_or_alias(samples, asker):
    topic = "handling parliamentary questions"
    assert ids(samples, topic)[0] == "priya-raman"
    assert "priya-raman" not in ids(samples, topic, exclude=asker)


def test_an_asker_who_is_not_in_the_directory_is_an_error(samples):
    with pytest.raises(InputError, match="no person with id or alias 'Nobody Known'"):
        PeerService(samples).recommend("handling parliamentary questions", exclude="Nobody Known")


# -- ranking ----------------------------------------------------------------------------------


def test_shadow_favours_first_person_practice_over_people_who_only_asked(kiln_ctx):
    shadow = ids(kiln_ctx, KILN_TOPIC, shadow=True)
    assert shadow[0] == "pat"
    assert "ann" not in shadow  # she only asked questions
    reason = PeerService(kiln_ctx, record=False).recommend(KILN_TOPIC, shadow=True).suggestions[0]
    assert "described doing it themselves" in reason.reason


def test_nobody_topic_returns_nobody_with_a_plain_message(samples):
    result = PeerService(samples).recommend("procurement rules for buying software")
    assert result.suggestions == []
    assert result.message == (
        'Nobody I can suggest has spoken about "procurement rules for buying software" in the '
        "sessions."
    )


def test_load_spreading_changes_the_order_after_repeated_recommendations(samples, embeddings):
    topic = "preparing a submission for a new minister"
    steady = PeerService(samples, record=False)
    first = steady.recommend(topic, limit=1).suggestions[0].person_id
    assert all(steady.recommend(topic, limit=1).suggestions[0].person_id == first
               for _ in range(3))  # not recording: the order never moves

    settings = Settings(data_dir=samples.settings.data_dir,
                        peers=PeersSettings(load_penalty=0.5, load_window_days=7))
    spread = Context(settings, embeddings=embeddings)
    service = PeerService(spread)
    tops = [service.recommend(topic, limit=1).suggestions[0] for _ in range(6)]
    assert tops[0].person_id == first
    assert {t.person_id for t in tops} != {first}  # someone else gets a turn
    # Learners never see internal counters.
    assert not any("suggested" in t.reason or "times" in t.reason for t in tops)
    spread.close()


# -- what a suggestion shows ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "shadow"),
    [("preparing a submission for a new minister", False),
     ("running the minister's red box", False),
     ("engaging stakeholders early on a consultation", False),
     ("shadowing someone in the Secretary of State's private office", True)],
)
def test_every_quote_is_verbatim_and_verified(samples, topic, shadow):
    result = PeerService(samples, record=False).recommend(topic, shadow=shadow)
    assert result.suggestions
    for s in result.suggestions:
        assert 1 <= len(s.evidence) <= 3
        assert s.reason and "\n" not in s.reason
        for e in s.evidence:
            assert samples.verifier.citation_is_valid(e)
            turn = samples.catalog.turns(e.session_id, e.turn_start, e.turn_end)[0]
            assert e.quote in turn.text and e.speaker == turn.speaker


def test_reason_names_sessions_and_facilitation(samples):
    result = PeerService(samples, record=False).recommend("handling parliamentary questions")
    top = result.suggestions[0]
    assert top.person_id == "priya-raman"
    assert top.reason.startswith("Spoke about it in ")
    assert "facilitated 'Handling parliamentary questions" in top.reason


def test_cli_json_shape_and_plain_nobody(samples, monkeypatch):
    monkeypatch.setenv("COMPANION_DATA_DIR", str(samples.settings.data_dir))
    samples.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "companion", "peers", *args],
                              capture_output=True, text=True, timeout=300)

    p = run("handling parliamentary questions", "--json", "--limit", "2", "--exclude", "Tom")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert 1 <= len(rows) <= 2 and "tom-reyes" not in [r["person_id"] for r in rows]
    assert set(rows[0]) == {"person_id", "name", "role", "team", "contact", "score", "reason",
                            "evidence"}
    assert set(rows[0]["evidence"][0]) == {"session_id", "speaker", "start", "end", "turn_start",
                                           "turn_end", "quote", "url", "session_title"}
    p = run("procurement rules for buying software")
    assert p.returncode == 0 and p.stdout.startswith("Nobody I can suggest")
    assert json.loads(run("procurement rules for buying software", "--json").stdout) == []
    p = run("handling parliamentary questions", "--exclude", "Someone Else")
    assert p.returncode == 1 and p.stderr.strip().startswith("error: --exclude: no person")
