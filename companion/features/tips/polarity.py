"""Whether two quotes on the same subject recommend opposite things, from generic words only.

Embeddings put "always X" and "never X", or "do it as you go" and "save it for the end", close
together, so similarity alone would merge them. Three topic-free checks say two quotes (already
known to be about the same thing) pull in opposite directions:

- negation: one main clause is a prohibition ("Don't ...", "Never ...") and the other is not,
  while they share most content words;
- timing: one says now, straight away, as you go, every time; the other says later, at the end,
  in one go, in batches, wait ("don't wait" counts as now);
- order: both say what comes first and name different things ("X first" / "Y first");
- preference: one prefers something over an act ("X is safer than undoing it", "rather than
  Y", "instead of Y") that the other recommends.

No word here names a topic's actions; the lists are English words of time, frequency and
negation. Calibrated with `python -m evals.tips_pairs` on opposed and paraphrase pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from companion.core.terms import content_terms, stem

# "to stop", "to avoid" state a purpose ("the surest way to avoid rework"), not a ban.
_NEGATION = re.compile(
    r"\b(?:never|don't|dont|do not|doesn't|does not|no|not|shouldn't|should not|"
    r"mustn't|must not|instead of|(?<!to )(?:avoid|stop|resist))\b",
    re.I,
)
_CLAUSE_END = re.compile(
    r"[,;:.!?]|\s(?:but|because|unless|although|though|otherwise|so|so that|while|or)\s", re.I
)
_LEAD = re.compile(
    r"^(?:(?:so|and|but|or|also|then|okay|ok|honestly|basically|yeah|yes|well|right|look|"
    r"um|uh|erm|just|please|first(?:ly)?|again|for me)\b[\s,:;.\-–—]*)+",
    re.I,
)
_FRAME = re.compile(r"^[^:]{1,80}:\s+")
# Now, straight away, as it happens, every time, often.
_SOON = re.compile(
    r"\b(?:as you go|every day|daily|hourly|every (?:morning|hour|couple of hours)|"
    r"as often as|whenever|as they (?:come|arrive|come in)|as (?:it|they) happens?|straight away|"
    r"right away|immediately|at once|there and then|the same (?:day|afternoon|morning)|"
    r"on the day|the moment|as soon as|straight after|after (?:each|every)|within (?:the |an? )?"
    r"(?:hour|day|minute)|early|sooner|up front|every time|each time|little and often|"
    r"in real time|before you (?:leave|go home)|(?:on )?day one|week one|first thing|"
    r"from the (?:start|outset|beginning|first (?:day|minute|hour))|"
    r"(?:at )?the (?:very )?first (?:sign|hint|minute|hour|day))\b",
    re.I,
)
# Later, at the end, in one go, in batches.
_LATER = re.compile(
    r"\b(?:at the end(?! of (?:each|every)\b)|(?<!end of )(?<!end of each )"
    r"(?:the )?end of the (?:day|shift|week|night|month)|later|afterwards|hold off|"
    r"for the first (?:few|couple of|two|three) (?:days|weeks|months)|"
    # Time spent on something first: "spend your first fortnight listening ... before you ...",
    # "a few weeks with X before you ..." (what comes after is put off).
    r"(?:(?:a|the|your) (?:first |few |couple of )?(?:(?:few|couple of|two|three|several) )?"
    r"(?:days?|weeks?|months?)) (?:[\w']+ ){0,8}before|"
    r"wait(?:ing)?|in one (?:go|block|push|batch|sitting)|the last (?:\w+ )?(?:hour|minutes)|"
    r"batch(?:es|ed|ing)?|in (?:two|three|"
    r"a few) blocks|(?:once|twice|two times|three times) a (?:day|week)|until|till|"
    r"(?:save|leave|keep) (?:\w+ ){0,4}(?:for|until|till) (?:the end|later|after)|"
    r"for after|not (?:straight|right) away|a week|a month|weekly|monthly|"
    r"only (?:\w+ ){0,2}(?:when|if|once)|"
    r"rarely|sparingly)\b",
    re.I,
)
# "Never skip X", "don't forget X": a negated verb of omission asks you to do X.
_DOUBLE_NEGATIVE = re.compile(
    r"\b(?:never|don't|dont|do not|not)\s+(?:\w+\s+)?(?:skip|miss|forget|ignore|neglect|"
    r"drop|leave out|cut)\b|\b(?:never|don't|dont|do not)\s+let\s+(?:\w+\s+){1,3}"
    r"(?:pile|build|stack|mount|slip|slide|drift|accumulate)\b",
    re.I,
)
_NEGATED_BEFORE = re.compile(
    r"\b(?:don't|do not|never|no need to|not|can't|cannot|won't|mustn't|shouldn't)\s+"
    r"(?:\w+\s+){0,1}$",
    re.I,
)
_FIRST = re.compile(
    r"\b([a-z]+)[- ]first\b(?=\s*(?:[,.;:!?)]|$|and\b|then\b))", re.I
)
_GOES_FIRST = re.compile(r"\b([a-z]+)\s+(?:goes|comes|go|come)\s+first\b", re.I)
# "safer than undoing", "better than Y", "rather than Y", "instead of Y": Y is dispreferred.
_OVER = re.compile(
    r"\b(?:(?:safer|better|quicker|faster|easier|wiser|cheaper|more \w+|less \w+)"
    r"(?:\s+\w+){0,2}\s+than|rather than|instead of)\s+(?:just\s+)?([a-z]+)",
    re.I,
)
_NEGATION_TERMS = frozenset({"never", "don", "dont", "avoid", "stop", "resist", "instead"})
# Words before "first" that do not name what to do first ("the first", "it first").
_NOT_ACTS = frozenset(
    "the a an this that it them him her me us you one ones thing things very at in on "
    "time tip".split()
)


def core(quote: str) -> str:
    """The quote without a framing lead ("My tip:") or opening fillers."""
    text = quote.replace("’", "'").strip()
    frame = _FRAME.match(text)
    if frame and len(frame.group(0).split()) <= 10:
        text = text[frame.end():]
    return _LEAD.sub("", text).lstrip(" ,:;-–—\"'“‘")


def main_clause(quote: str) -> str:
    """The quote's first clause, without framing or lead-in words."""
    text = core(quote)
    match = _CLAUSE_END.search(text)
    return text[: match.start()] if match else text


def polarity(quote: str) -> int:
    """-1 when the advice is a prohibition ("Don't ...", "Never ..."), else +1.

    "Never skip ...", "don't forget ..." ask for something, so they count as +1.
    """
    clause = main_clause(quote)
    if _DOUBLE_NEGATIVE.search(clause):
        return 1
    return -1 if _NEGATION.search(clause) else 1


def timing(quote: str) -> int:
    """+1 when the quote says now / as you go / every time, -1 for later / in one go, else 0.

    A "later" word after a negation ("don't wait until ...") counts as now, and the other way
    round. The main clause decides; the rest of the quote only when it says nothing.
    """
    return _timing(main_clause(quote)) or _timing(core(quote))


def _timing(text: str) -> int:
    soon = later = 0
    for match in _SOON.finditer(text):
        negated = bool(_NEGATED_BEFORE.search(text[: match.start()]))
        soon, later = (soon, later + 1) if negated else (soon + 1, later)
    for match in _LATER.finditer(text):
        negated = bool(_NEGATED_BEFORE.search(text[: match.start()]))
        soon, later = (soon + 1, later) if negated else (soon, later + 1)
    return (soon > later) - (later > soon)


def first_acts(quote: str) -> set[str]:
    """What the quote says to do first: {"test"} for "test it on a small batch first"."""
    text = quote.replace("’", "'")
    acts = {m.group(1).lower() for m in _FIRST.finditer(text)}
    acts |= {m.group(1).lower() for m in _GOES_FIRST.finditer(text)}
    return {stem(a) for a in acts if a not in _NOT_ACTS}


def dispreferred(quote: str) -> set[str]:
    """Stems of what the quote advises against by preferring something else."""
    text = quote.replace("’", "'")
    return {stem(m.group(1).lower()) for m in _OVER.finditer(text)} - _NOT_ACTS


def recommends(quote: str, act: str) -> bool:
    """True when the quote asks for `act` (a stem): it names it, not as dispreferred or banned."""
    if act in dispreferred(quote) or polarity(quote) < 0:
        return False
    return act in {stem(t) for t in content_terms(core(quote))}


def preferences_conflict(quote_a: str, quote_b: str) -> bool:
    """True when one quote prefers something over an act the other recommends."""
    return any(recommends(quote_b, act) for act in dispreferred(quote_a)) or any(
        recommends(quote_a, act) for act in dispreferred(quote_b)
    )


def orders_conflict(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when both say what comes first and they name different things."""
    left, right = set(a), set(b)
    return bool(left) and bool(right) and not (left & right)


def shared_terms(quote_a: str, quote_b: str) -> float:
    """Share of the shorter quote's content terms (negations aside) that the other one has."""
    a = {t for t in content_terms(main_clause(quote_a)) if t not in _NEGATION_TERMS}
    b = {t for t in content_terms(main_clause(quote_b)) if t not in _NEGATION_TERMS}
    if min(len(a), len(b)) < 2:  # one shared word of a two-word fragment says little
        return 0.0
    return len(a & b) / min(len(a), len(b))


def opposed(quote_a: str, quote_b: str, min_shared: float = 0.5) -> bool:
    """True when two quotes (already known to be on the same subject) advise opposite things.

    A difference in negation only counts when the main clauses are about the same things
    (half the shorter one's content words shared): "Never start a batch untested" and "Test
    the protocol first" agree, while "Label the tubes" and "Don't label the tubes" do not.
    """
    if polarity(quote_a) != polarity(quote_b) and shared_terms(quote_a, quote_b) >= min_shared:
        return True
    if timing(quote_a) * timing(quote_b) < 0:
        return True
    if orders_conflict(first_acts(quote_a), first_acts(quote_b)):
        return True
    return preferences_conflict(quote_a, quote_b)
