"""Training data of the learned fusion: two shard stores merged as one corpus would rank."""

from __future__ import annotations

from companion.core.schemas import Turn
from companion.retrieval.hybrid import RetrievedChunk
from evals.fusion_data import MergedCatalog, merge


def chunk(cid: str, session: str, sim: float, lex: float, dense: int, lexical: int | None):
    return RetrievedChunk(
        id=cid,
        session_id=session,
        session_title=session,
        text="words",
        speakers=[],
        turn_start=0,
        turn_end=1,
        start=None,
        end=None,
        similarity=sim,
        dense_rank=dense,
        lexical_score=lex,
        lexical_rank=lexical,
    )


def test_merged_candidates_are_ranked_over_both_stores_and_cut_at_depth() -> None:
    store_a = [chunk("a1", "a", 0.9, 0.0, 0, None), chunk("a2", "a", 0.2, 5.0, 1, 0)]
    store_b = [chunk("b1", "b", 0.5, 2.0, 0, 0), chunk("b2", "b", 0.1, 0.0, 1, None)]
    merged = merge([store_a, store_b], dense_k=2, lexical_k=1)
    ranks = {c.id: (c.dense_rank, c.lexical_rank) for c in merged}
    # b1 was first of its store; over both it is second by cosine and second by BM25 (cut)
    assert ranks == {"a1": (0, None), "b1": (1, None), "a2": (None, 0)}
    assert merged[0].id == "a2"  # lexical ranks weigh a little more in the fused order
    assert store_b[0].dense_rank == 0  # the shards' own candidates are left as they were


class Turns:
    def __init__(self, session: str) -> None:
        self.session = session

    def turns(self, session_id: str, start: int = 0, end: int | None = None) -> list[Turn]:
        return [Turn(index=0, speaker="X", text=session_id)] if session_id == self.session else []


def test_merged_catalog_reads_each_session_from_its_own_store() -> None:
    catalog = MergedCatalog([Turns("a"), Turns("b")])
    assert catalog.turns("b")[0].text == "b"
    assert catalog.turns("c") == []
