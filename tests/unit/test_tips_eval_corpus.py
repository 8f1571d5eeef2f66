"""The tips eval on any corpus (top five figures, layout check) and the real-model calibration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from companion.core.errors import InputError
from companion.features.tips.models import Tip, TipQuote, TipSupport
from evals.tips_eval import GoldOccurrence, GoldTip, _covered, check_layout, load_gold
from evals.tips_top import top_figures

DEV = Path(__file__).resolve().parents[2] / "evals" / "data" / "dev"


def tip(tip_id: str, sessions: int, quotes: list[tuple[str, str]]) -> Tip:
    return Tip(
        id=tip_id, text=quotes[0][1], topics=[], support=TipSupport(sessions=sessions, speakers=1),
        first_seen=None, last_seen=None, status="unreviewed", contradicts=[],
        quotes=[TipQuote(session_id=s, speaker="A", start=None, end=None, turn_start=0,
                         turn_end=0, quote=q) for s, q in quotes],
    )


GOLD = [
    GoldTip("g1", "Label every tube.", "lab", (
        GoldOccurrence("s1", "A", "Label every tube."),
        GoldOccurrence("s2", "B", "Put a label on each tube."),
        GoldOccurrence("s3", "C", "Tubes without labels get binned."),
    ), ()),
    GoldTip("g2", "Book the scope early.", "lab", (
        GoldOccurrence("s1", "A", "Book the scope early."),
        GoldOccurrence("s4", "B", "Get your scope slots in first."),
    ), ()),
]
TEXT = {"s1": "Label every tube. Book the scope early.", "s2": "Put a label on each tube.",
        "s3": "Tubes without labels get binned.", "s4": "Get your scope slots in first."}


def test_top_five_counts_a_second_fragment_as_a_miss_and_checks_session_counts():
    ranked = [
        tip("t1", 2, [("s1", "Label every tube."), ("s2", "Put a label on each tube.")]),
        tip("t2", 1, [("s3", "Tubes without labels get binned.")]),  # fragment of g1
        tip("t3", 1, [("s1", "Book the scope early.")]),
        tip("t4", 1, [("s4", "Bring snacks, paraphrased badly.")]),  # not verbatim, not gold
    ]
    figures = top_figures(ranked, GOLD, _covered, lambda s: TEXT[s])
    assert figures.precision == 0.5  # t1 and t3 are new gold tips; t2 repeats g1; t4 is none
    assert figures.gold_3plus == 1
    assert figures.recall_3plus == 1.0  # g1's best tip is in the top five ...
    assert figures.support_exact_3plus == 0.0  # ... but with 2 sessions, not 3
    assert figures.verbatim == 0.8  # 4 of the 5 quotes are in their session's text
    merged = [tip("t1", 3, [("s1", "Label every tube."), ("s2", "Put a label on each tube."),
                            ("s3", "Tubes without labels get binned.")])]
    assert top_figures(merged, GOLD, _covered, lambda s: TEXT[s]).support_exact_3plus == 1.0


def test_any_corpus_in_the_samples_layout_is_accepted_and_others_are_refused(tmp_path: Path):
    for corpus in ("ward", "oncall", "staffroom", "lab", "planning", "garage", "zoo", "hotel"):
        check_layout(DEV / corpus)
        gold = load_gold(DEV / corpus / "gold" / "tips.jsonl")
        assert sum(len({o.session for o in g.occurrences}) >= 3 for g in gold) >= 3
        assert any(g.contradicts for g in gold)
    (tmp_path / "sessions").mkdir()
    with pytest.raises(InputError, match="gold/tips.jsonl"):
        check_layout(tmp_path)


@pytest.mark.parametrize(
    "corpus", ["ward", "oncall", "staffroom", "lab", "planning", "garage", "zoo", "hotel"])
def test_dev_gold_quotes_are_verbatim_and_opposed_links_go_both_ways(corpus: str):
    root = DEV / corpus
    texts = {p.stem: " ".join(p.read_text(encoding="utf-8").split())
             for p in (root / "sessions").iterdir() if p.suffix != ".yaml"}
    gold = {g.id: g for g in load_gold(root / "gold" / "tips.jsonl")}
    for g in gold.values():
        for occurrence in g.occurrences:
            assert " ".join(occurrence.quote.split()) in texts[occurrence.session], occurrence
        for other in g.contradicts:
            assert g.id in gold[other].contradicts, (g.id, other)
    assert sum(len(g.contradicts) for g in gold.values()) == 2  # exactly one opposed pair


@pytest.mark.slow
def test_real_model_keeps_held_out_paraphrases_and_drops_fresh_housekeeping():
    from companion.core.settings import Settings
    from companion.features.tips.housekeeping import shipped_filter
    from companion.features.tips.similarity import action_text
    from companion.retrieval.context import Context
    from evals.tips_pairs import load_pairs, pair_scores, prf

    ctx = Context(Settings())
    embed = ctx.embeddings.embed_many
    rows = [r for r in pair_scores(load_pairs(), embed) if r["split"] == "holdout"]
    cfg = ctx.settings.tips
    figures = prf(rows, cfg.lexical_weight, cfg.same_tip_similarity)
    assert figures["precision"] >= 0.9 and figures["recall"] >= 0.4, figures
    housekeeping = ["The minibus leaves from the front gate at four, don't be late.",
                    "Tea and biscuits are in the staff room after the talk.",
                    "Please return your visitor badge to the front desk."]
    advice = ["Photograph the meter reading before you start any repair.",
              "Let the customer finish their story before you suggest anything.",
              "Keep a spare charger in the van."]
    model = shipped_filter()
    assert model is not None
    vectors = np.asarray(embed([action_text(t) for t in housekeeping + advice]))
    flags = model.is_housekeeping(vectors).tolist()
    assert flags[3:] == [False, False, False], flags
    assert sum(flags[:3]) >= 2, flags
    ctx.close()
