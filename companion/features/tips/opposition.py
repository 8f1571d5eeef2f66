"""Whether two quotes advise opposite things: a small learned score over topic-free features.

Two quotes are opposed when they are about the same thing (close embeddings, shared words) and
pull in opposite directions. The directions are read from generic English only, never from a
workplace's verbs (see `polarity` for the first five):

- `negation`: one main clause is a prohibition and the other is not, scaled by their shared
  words;
- `timing`: now / as you go / every time against later / at the end / in one go;
- `order`: both say what comes first and name different things;
- `preference`: one prefers something "rather than" / "instead of" an act the other asks for;
- `scope`: one says every / each / all / always, the other only / never / rarely / sparingly;
- `antonym`: one uses a word of a generic opposite pair (before/after, early/late, more/less,
  alone/together, slow/fast, ...) and the other its opposite;
- `subject_x_direction`: (cosine + overlap) x whether any direction above differs, since
  opposite directions mean opposed advice only on one subject.

A logistic regression over these (and the cosine and word overlap of the two quotes) is trained
by `python -m evals.tips_opposition` on pairs written for the purpose
(`evals/data/tip_oppositions.jsonl`: opposed, compatible and unrelated advice from workplaces
unlike the samples' and the dev corpora's); its weights and threshold ship as
`opposition.json` beside this module. Pure Python and numpy at runtime.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from companion.features.tips.polarity import (
    core,
    dispreferred,
    first_acts,
    opposed,
    orders_conflict,
    polarity,
    preferences_conflict,
    shared_terms,
    timing,
)

WEIGHTS = Path(__file__).with_name("opposition.json")
FEATURES = ("cosine", "overlap", "negation", "timing", "order", "preference", "scope", "antonym",
            "subject_x_direction")

_UNIVERSAL = re.compile(r"\b(?:every|each|all|always|whatever|however small|without fail)\b", re.I)
_RESTRICTED = re.compile(
    r"\b(?:only|never|rarely|sparingly|occasionally|unless|once (?:they|you|it)|"
    r"(?:the|a) (?:big|important|hard|difficult) ones)\b",
    re.I,
)
# Generic opposite pairs (word stems). No workplace's vocabulary.
_ANTONYMS = (
    ("before", "after"), ("early", "late"), ("first", "last"), ("more", "less"),
    ("more", "fewer"), ("long", "short"), ("slow", "fast"), ("slow", "quick"),
    ("alone", "together"), ("yourself", "together"), ("own", "together"), ("big", "small"),
    ("large", "small"), ("formal", "informal"), ("start", "end"), ("start", "finish"),
    ("begin", "end"), ("open", "closed"), ("strict", "relax"), ("often", "rarely"),
    ("now", "later"), ("immediately", "wait"), ("same", "different"), ("one", "several"),
)
_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower().replace("’", "'")))


def scope(quote: str) -> int:
    """+1 when the quote asks for something every time / for all, -1 when only some, else 0."""
    text = core(quote)
    wide, narrow = bool(_UNIVERSAL.search(text)), bool(_RESTRICTED.search(text))
    return int(wide and not narrow) - int(narrow and not wide)


def antonym_flip(quote_a: str, quote_b: str) -> bool:
    """True when one quote uses a word of a generic opposite pair and the other its opposite."""
    a, b = _words(quote_a), _words(quote_b)
    for left, right in _ANTONYMS:
        if (left in a and right in b and right not in a and left not in b) or (
            right in a and left in b and left not in a and right not in b
        ):
            return True
    return False


def features(quote_a: str, quote_b: str, cosine: float, overlap: float) -> np.ndarray:
    """The feature row of a pair, in `FEATURES` order.

    Args:
        quote_a: one verbatim quote.
        quote_b: the other.
        cosine: cosine of the two quotes' (action) vectors: are they on one subject?
        overlap: their weighted content-word overlap (`clustering.term_overlap`).
    """
    shared = shared_terms(quote_a, quote_b)
    directions = [
        float(polarity(quote_a) != polarity(quote_b)) * (0.5 + shared),
        float(timing(quote_a) * timing(quote_b) < 0),
        float(orders_conflict(first_acts(quote_a), first_acts(quote_b))),
        float(preferences_conflict(quote_a, quote_b)
              or bool(dispreferred(quote_a)) != bool(dispreferred(quote_b))),
        float(scope(quote_a) * scope(quote_b) < 0),
        float(antonym_flip(quote_a, quote_b)),
    ]
    # Opposite directions only mean opposed advice on one subject: the product says both.
    subject = cosine + overlap
    return np.array([cosine, overlap, *directions, subject * min(1.0, sum(directions))],
                    dtype=np.float64)


def has_direction(row: np.ndarray) -> bool:
    """True when some direction feature differs: close quotes that agree are never opposed."""
    return bool(np.asarray(row)[..., 2:-1].sum() > 0)


@dataclass(frozen=True)
class OppositionModel:
    """Logistic regression over `features`, with the threshold chosen on the pairs."""

    weights: np.ndarray
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> OppositionModel:
        """The shipped weights (or those at `path`)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"{path}: trained on features {data['features']}, not {FEATURES}")
        return cls(np.asarray(data["weights"], dtype=np.float64), float(data["bias"]),
                   float(data["threshold"]))

    def save(self, path: Path = WEIGHTS, **provenance: object) -> None:
        """Write the weights, threshold and where they came from as JSON."""
        path.write_text(json.dumps({
            "features": list(FEATURES), "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(self.bias, 6), "threshold": round(self.threshold, 4), **provenance,
        }, indent=2) + "\n", encoding="utf-8")

    def probability(self, quote_a: str, quote_b: str, cosine: float, overlap: float) -> float:
        """P(opposed) of a pair; 0 when no direction differs (`has_direction`)."""
        row = features(quote_a, quote_b, cosine, overlap)
        if not has_direction(row):
            return 0.0
        return float(1.0 / (1.0 + np.exp(-(float(row @ self.weights) + self.bias))))

    def opposed(self, quote_a: str, quote_b: str, cosine: float, overlap: float) -> bool:
        """True when the pair's probability reaches the threshold."""
        return self.probability(quote_a, quote_b, cosine, overlap) >= self.threshold


@cache
def shipped_model() -> OppositionModel:
    """The shipped model (`opposition.json`)."""
    return OppositionModel.load()


@lru_cache(maxsize=1 << 16)
def _learned(quote_a: str, quote_b: str, cosine: float, overlap: float) -> bool:
    return shipped_model().opposed(quote_a, quote_b, cosine, overlap)


# Pure verdicts, remembered: updates re-check pairs checked before.
_rule = lru_cache(maxsize=1 << 16)(opposed)


def opposed_learned(quote_a: str, quote_b: str, cosine: float, overlap: float) -> bool:
    """The learned verdict (remembered; scores rounded so float noise cannot split the memo)."""
    return _learned(quote_a, quote_b, round(cosine, 4), round(overlap, 4))


def keeps_apart(quote_a: str, quote_b: str) -> bool:
    """True when two quotes must not be one tip: `polarity.opposed`'s rules, remembered.

    Keeping apart uses the rules, which made no false call on the written pairs; the learned
    score's extra recall, at its false calls on paraphrases ("never on a weekend" beside
    "a little every evening"), split paraphrases on the tuning corpora, so it only links tips.
    """
    return _rule(quote_a, quote_b)
