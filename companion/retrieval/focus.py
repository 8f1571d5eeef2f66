"""A question's topic without its framing: what the dense search embeds when `focus_query` is on.

Meeting questions wrap their topic in framing that says what kind of answer is wanted ("Summarize
the discussion about ...", "What did the Marketing expert think of ...", "What was the
conclusion of ..."). The framing matches every stretch of talk alike, and in a short question it
is a large part of the embedded text. `focus` drops the leading framing and keeps the rest
(who, and the topic, including "when discussing ..." clauses: they say which moment). A question
without recognised framing is returned unchanged, and so is one that would be left with nothing.
"""

from __future__ import annotations

import re

_VERBS = (
    r"say|said|think|thought|talk(?:ed)?|discuss(?:ed)?|mention(?:ed)?|state[ds]?|feel|felt|"
    r"believe[ds]?|propose[ds]?|suggest(?:ed)?|recommend(?:ed)?|present(?:ed)?|report(?:ed)?|"
    r"introduce[ds]?|explain(?:ed)?|argue[ds]?|respond(?:ed)?|reply|replied|share[ds]?|"
    r"express(?:ed)?|raise[ds]?|conclude[ds]?|decide[ds]?|agree[ds]?"
)
_PREP = r"(?:about|of|on|regarding|concerning|towards?|to|with|for|in)"
_PATTERNS = (
    # "Summarize the discussion about X", "Summarize the team's evaluation of X".
    re.compile(
        r"^(?:please\s+)?(?:summari[sz]e|describe|outline|recap)\s+(?:(?:the|their|what)\s+)?"
        r"(?:(?:whole|group'?s?|team'?s?|meeting'?s?)\s+)?"
        r"(?:discussions?|talks?|conversations?|was\s+(?:said|discussed)|opinions?|views?|"
        r"points?|ideas?)?\s*" + _PREP + r"?\s+",
        re.I,
    ),
    # "What was the conclusion of the discussion about X", "What's the decision on X".
    re.compile(
        r"^what(?:'s|\s+is|\s+was|\s+were|\s+are)\s+(?:the\s+)?"
        r"(?:conclusions?|outcomes?|results?|decisions?)\s+" + _PREP + r"\s+"
        r"(?:the\s+)?(?:(?:discussions?|talks?)\s+" + _PREP + r"\s+)?",
        re.I,
    ),
    # "What was said about X", "What was discussed on X".
    re.compile(r"^what\s+(?:was|were)\s+(?:said|discussed|talked\s+about|mentioned)\s+"
               + _PREP + r"?\s*", re.I),
    # "What did WHO say/think ... about X" -> "WHO X" (who is kept: it says whose words).
    re.compile(
        r"^(?:what|how)\s+(?:did|does|do)\s+(?P<who>.{1,60}?)\s+(?:" + _VERBS + r")"
        r"(?:\s+about)?\s+" + _PREP + r"?\s*",
        re.I,
    ),
)
_GENERIC_WHO = re.compile(r"^(?:the\s+)?(?:group|team|meeting|committee|they|everyone)$", re.I)


def focus(question: str) -> str:
    """The question with its leading framing removed (unchanged when none is recognised).

    Args:
        question: the user's question.

    Returns:
        The topic part, with the asker's subject kept when it names someone.
    """
    text = " ".join(question.split())
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        rest = text[m.end():]
        who = m.groupdict().get("who")
        if who and not _GENERIC_WHO.match(who):
            rest = f"{who} {rest}"
        if rest.strip(" ?.!"):
            return rest
        break
    return text
