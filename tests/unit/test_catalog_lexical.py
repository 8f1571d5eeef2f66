"""Lexical search ranks on the FTS index first, then joins: same hits as joining every match."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from companion.storage.catalog import Catalog

WORDS = "budget minister deadline handover patient rota deploy rollback brief draft".split()

REFERENCE = """SELECT c.id, bm25(chunks_fts) AS score
               FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
               JOIN sessions s ON s.id = c.session_id
               WHERE chunks_fts MATCH ? {where} ORDER BY score, c.rowid LIMIT ?"""


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """600 chunks in 30 sessions, a third of them private; many ties in BM25."""
    cat = Catalog(tmp_path / "catalog.db")
    rng = random.Random(5)
    with cat.transaction() as conn:
        for s in range(30):
            conn.execute(
                "INSERT INTO sessions (id, title, consent, kind, source, content_hash,"
                " ingested_at) VALUES (?, ?, ?, ?, 'x', 'h', 't')",
                (f"s{s}", f"Session {s}", int(s % 3 != 0), "workshop" if s % 5 else "panel"),
            )
            for o in range(20):
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
                conn.execute(
                    "INSERT INTO chunks (id, session_id, ordinal, turn_start, turn_end,"
                    " speakers, text) VALUES (?, ?, ?, ?, ?, '', ?)",
                    (f"s{s}:{o}", f"s{s}", o, o, o, text),
                )
    return cat


@pytest.mark.parametrize(
    ("where", "params"),
    [
        ("", ()),
        (" AND s.consent = 1", ()),
        (" AND s.kind = ?", ("panel",)),  # keeps a fifth: the head runs out, the full search runs
        (" AND s.id = ?", ("s7",)),
    ],
)
@pytest.mark.parametrize("match", ['"budget"', '"minister" OR "rota"', '"nothing"'])
@pytest.mark.parametrize("limit", [1, 10, 100])
def test_same_hits_as_joining_every_match(
    catalog: Catalog, where: str, params: tuple[str, ...], match: str, limit: int
) -> None:
    want = catalog.conn.execute(REFERENCE.format(where=where), (match, *params, limit)).fetchall()
    got = catalog.search_lexical(match, limit, where, params)
    assert got == [(r[0], r[1]) for r in want]
    if match != '"nothing"' and limit == 10:
        assert got, "the test would prove nothing without hits"


@pytest.mark.parametrize("match", ['"budget"', '"minister" OR "rota" OR "deploy"', '"nothing"'])
def test_scores_of_given_chunks_equal_the_search_restricted_to_them(
    catalog: Catalog, match: str
) -> None:
    """Scoring dense-only candidates probes their rows and gives the scores a search gives."""
    ids = [f"s{s}:{o}" for s in range(0, 30, 4) for o in range(0, 20, 3)] + ["no-such-chunk"]
    marks = ",".join("?" * len(ids))
    want = dict(catalog.search_lexical(match, len(ids), f" AND c.id IN ({marks})", ids))
    got = catalog.lexical_scores(match, ids)
    assert got == want
    if match != '"nothing"':
        assert got and len(got) < len(ids), "some given chunks must match and some not"


@pytest.mark.parametrize(
    ("where", "params"),
    [
        ("", ()),
        (" AND s.consent = 1", ()),
        (" AND s.kind = ?", ("panel",)),  # the head runs out: every match is joined
    ],
)
@pytest.mark.parametrize("match", ['"budget"', '"minister" OR "rota" OR "deploy"', '"nothing"'])
@pytest.mark.parametrize("limit", [1, 10, 100])
def test_one_pass_search_gives_the_same_hits_and_every_matchs_score(
    catalog: Catalog, where: str, params: tuple[str, ...], match: str, limit: int
) -> None:
    """The lexical leg's single pass: `search_lexical`'s hits, and scores for any chunk."""
    found, every = catalog.search_lexical_scored(match, limit, where, params)
    assert found == catalog.search_lexical(match, limit, where, params)
    assert every is not None
    rowids = dict(catalog.conn.execute("SELECT id, rowid FROM chunks").fetchall())
    assert every.of(rowids) == catalog.lexical_scores(match, list(rowids))
    if match != '"nothing"':
        assert found and len(every.of(rowids)) < len(rowids), "some chunks match, some not"


def test_one_pass_search_falls_back_when_the_rarest_term_is_too_common(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the postings cap the scores of every match are not gathered: callers probe."""
    from companion.storage import catalog as module

    monkeypatch.setattr(module, "LEXICAL_MAX_POSTINGS", 5)
    found, every = catalog.search_lexical_scored('"budget"', 10, "", ())
    assert every is None
    assert found == catalog.search_lexical('"budget"', 10, "", ()) and found
