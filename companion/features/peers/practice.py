"""What kind of speech a turn is: a question, or someone describing their own practice."""

from __future__ import annotations

import re

from companion.core.text import split_sentences

# First-person accounts of doing the work: "when I...", "what I do is", "I've found", "I always",
# "my approach", "in my experience", and first-person past tense ("I wrote", "I rang").
_PRACTICE = re.compile(
    r"\b(?:when I|what I do|what I did|what I'd do|I've found|I have found|I've learned|"
    r"I've learnt|I learned|I learnt|I always|I usually|I tend to|I try to|I make sure|"
    r"I used to|I'd always|the way I|my approach|my rule|my advice|in my experience|"
    r"I've done|I have done|I've been|I ran|I wrote|I rang|I went|I sat|I spent|I kept|I made|"
    r"I put|I took|I built|I led|I had to|I started|I worked|I handled|I drafted|I copy|"
    r"I check|I ask|I do|I did|I'd do|I'd add|I would|we used to|we always|"
    r"I (?!need\b|wanted\b|wonder\b)[a-z]+ed\b)",
    re.IGNORECASE,
)
_I_WORD = re.compile(r"\b(?:I|I'm|I've|I'd|my|me)\b")


def is_question(text: str) -> bool:
    """True when a turn mostly asks: its last sentence, or most of its sentences, end in '?'."""
    sentences = split_sentences(text.strip())
    if not sentences:
        return False
    asked = sum(s.rstrip().endswith("?") for s in sentences)
    return sentences[-1].rstrip().endswith("?") and asked * 2 >= len(sentences)


def practice_strength(text: str) -> float:
    """0..1: how much a turn reads as the speaker describing what they themselves did or do."""
    text = text.replace("’", "'")
    hits = len(_PRACTICE.findall(text))
    if hits == 0:
        return 0.0
    first_person = len(_I_WORD.findall(text))
    return min(1.0, 0.5 * hits + 0.1 * first_person)
