"""The headline quote of a tip: a whole sentence that stands on its own, like its paraphrases."""

from __future__ import annotations

import numpy as np

from companion.features.tips.store import StoredQuote
from companion.features.tips.views import canonical_quote, headline_penalty


def stored(quote: str, vector: list[float]) -> StoredQuote:
    v = np.asarray(vector, dtype=np.float32)
    return StoredQuote(
        tip_id="tip-1", session_id="s1", speaker="A", turn=0, start=None, end=None, quote=quote,
        quote_hash=quote, section=None, cue="", vector=v / np.linalg.norm(v), session_title="S",
        series=None, date=None, consent=True,
    )


def test_the_headline_is_a_complete_sentence_even_when_a_fragment_sits_nearer_the_middle():
    quotes = [
        stored("Then nobody can say we put that dent there.", [1.0, 0.0, 0.0]),
        stored("pictures of the whole car on the forecourt", [1.0, 0.05, 0.0]),
        stored("Walk round every car with the owner and photograph each mark before it goes up.",
               [0.9, 0.4, 0.0]),
    ]
    assert canonical_quote(quotes).quote.startswith("Walk round every car")


def test_the_headline_is_the_quote_most_like_the_others_when_all_are_whole_sentences():
    quotes = [
        stored("Photograph each mark on the car before it goes up on the ramp.", [0.0, 1.0, 0.0]),
        stored("Walk round every car with the owner before you take the keys.", [1.0, 0.2, 0.0]),
        stored("Take pictures of the whole car with the owner beside you.", [1.0, 0.0, 0.0]),
    ]
    assert canonical_quote(quotes).quote.startswith("Walk round every car")


def test_fragments_and_sentences_that_point_back_are_penalised_and_whole_ones_are_not():
    assert headline_penalty("Label every tube at the bench as you make it.") == 0.0
    assert headline_penalty("That's why the first five minutes matter so much here.") > 0.0
    assert headline_penalty("the gun gets them on; the wrench gets them right, every") > 0.0
    assert headline_penalty("Label it.") > 0.0
