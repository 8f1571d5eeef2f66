"""The lexical leg matches only the question's rarest terms, with frequencies kept up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.storage.catalog import LEXICAL_MAX_TERMS, Catalog
from companion.storage.lexical import RarestTerms

# Word i appears in i + 1 chunks, so rarity is known: "w0" is the rarest.
WORDS = [f"w{i}" for i in range(10)]


def _add_session(catalog: Catalog, session: str, texts: list[str]) -> None:
    with catalog.transaction() as conn:
        conn.execute(
            "INSERT INTO sessions (id, title, consent, source, content_hash, ingested_at)"
            " VALUES (?, ?, 1, 'x', 'h', 't')",
            (session, session),
        )
        for o, text in enumerate(texts):
            conn.execute(
                "INSERT INTO chunks (id, session_id, ordinal, turn_start, turn_end, speakers,"
                " text) VALUES (?, ?, ?, ?, ?, '', ?)",
                (f"{session}:{o}", session, o, o, o, text),
            )


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    cat = Catalog(tmp_path / "catalog.db")
    texts = [" ".join(w for i, w in enumerate(WORDS) if c <= i) or "filler" for c in range(10)]
    _add_session(cat, "s", texts)
    return cat


def _hits(catalog: Catalog, match: str) -> set[str]:
    return {cid for cid, _ in catalog.search_lexical(match, 100)}


def _only(catalog: Catalog, words: list[str]) -> set[str]:
    return _hits(catalog, " OR ".join(f'"{w}"' for w in words))


def test_a_long_question_matches_only_its_rarest_terms(catalog: Catalog) -> None:
    question = " OR ".join(f'"{w}"' for w in reversed(WORDS))  # most common first
    rarest = WORDS[:LEXICAL_MAX_TERMS]
    assert LEXICAL_MAX_TERMS < len(WORDS)
    assert _hits(catalog, question) == _only(catalog, rarest)
    # The common words would have brought in chunks none of the rare ones holds.
    every = catalog.conn.execute(
        "SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid"
        " WHERE chunks_fts MATCH ?", (question,)
    ).fetchall()
    assert {r[0] for r in every} - _hits(catalog, question)


def test_terms_no_chunk_holds_are_dropped_not_counted(catalog: Catalog) -> None:
    words = [f"absent{i}" for i in range(LEXICAL_MAX_TERMS)] + ["w9"]
    assert _only(catalog, words) == _only(catalog, ["w9"])
    assert catalog.search_lexical('"absent0" OR "absent1"', 10) == []


def test_rarity_follows_new_chunks_from_this_and_other_connections(
    catalog: Catalog, tmp_path: Path
) -> None:
    question = " OR ".join(f'"{w}"' for w in [*WORDS[: LEXICAL_MAX_TERMS - 1], "w9", "fresh"])
    assert not any("t:" in h for h in _hits(catalog, question))  # "fresh" is in no chunk yet
    other = Catalog(tmp_path / "catalog.db")  # another process's writer, in effect
    _add_session(other, "t", ["fresh"])
    assert "t:0" in _hits(catalog, question)  # now rarer than "w9": it takes w9's place
    _add_session(catalog, "u", ["fresh"] * 30)  # this connection's own write
    assert "t:0" not in _hits(catalog, question)  # 31 chunks: the commonest of the seven


def test_other_match_expressions_are_left_alone(catalog: Catalog) -> None:
    assert _hits(catalog, "w0 AND w9") == {"s:0"}


def test_kept_terms_match_at_most_the_postings_budget(catalog: Catalog) -> None:
    question = " OR ".join(f'"{w}"' for w in reversed(WORDS))
    # w0, w1, w2 match 1 + 2 + 3 chunks: a budget of 5 keeps w0 and w1 only.
    assert RarestTerms("chunks_fts", 6, 5).narrow(catalog.conn, question, {}) == '"w1" OR "w0"'
    # The rarest term stays even when it alone is over the budget.
    assert RarestTerms("chunks_fts", 6, 0).narrow(catalog.conn, '"w9" OR "w8"', {}) == '"w8"'
