"""Prompt templates from the `prompts` package, by name, filled in without re-reading data.

A template is Markdown. `<!-- role: system -->` and `<!-- role: user -->` lines split it into
messages (a template without them is one user message); an HTML comment before the first role
line documents the template and is not sent. `{{name}}` placeholders are filled in one pass, so
text inserted for one placeholder (a transcript that says "{{question}}") is never expanded.
Data goes into delimited elements (`<passage id="3" ...>...</passage>`) with `<`, `>`, `&` and
quotes escaped, so a transcript cannot close its element or forge another.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from importlib.resources import files

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from companion.core.errors import ConfigurationError

_ROLE = re.compile(r"^<!--\s*role:\s*(system|user)\s*-->\s*$", re.M)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_LEADING_COMMENT = re.compile(r"^\s*<!--.*?-->\s*", re.S)


@dataclass(frozen=True)
class PromptTemplate:
    """A named template: (role, text) parts with `{{placeholders}}`."""

    name: str
    parts: tuple[tuple[str, str], ...]

    @property
    def placeholders(self) -> set[str]:
        """Names the template expects."""
        return {m.group(1) for _, text in self.parts for m in _PLACEHOLDER.finditer(text)}

    def messages(self, **values: str) -> list[BaseMessage]:
        """The chat messages with every placeholder filled in.

        Raises:
            ConfigurationError: a placeholder without a value.
        """
        missing = self.placeholders - values.keys()
        if missing:
            raise ConfigurationError(
                f"prompt '{self.name}' needs values for: {', '.join(sorted(missing))}"
            )
        out: list[BaseMessage] = []
        for role, text in self.parts:
            filled = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
            out.append(SystemMessage(filled) if role == "system" else HumanMessage(filled))
        return out


def load_prompt(name: str) -> PromptTemplate:
    """The template `prompts/<name>.md`.

    Raises:
        ConfigurationError: no such template.
    """
    try:
        raw = files("prompts").joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigurationError(f"prompt template 'prompts/{name}.md' is missing") from exc
    return parse_template(name, raw)


def parse_template(name: str, raw: str) -> PromptTemplate:
    """Split a template's text into role parts."""
    pieces = _ROLE.split(raw)
    if len(pieces) == 1:
        return PromptTemplate(name, (("user", _LEADING_COMMENT.sub("", raw).strip()),))
    parts = tuple(
        (role, text.strip()) for role, text in zip(pieces[1::2], pieces[2::2], strict=True)
    )
    return PromptTemplate(name, parts)


def data_element(tag: str, number: int, text: str, **attributes: str | None) -> str:
    """One numbered, delimited data element, e.g. `<passage id="3" speaker="Ann">...</passage>`.

    Attribute values and the text are escaped, so the data cannot end the element early, open
    another, or carry chat-template control tokens such as `<|im_start|>`.
    """
    attrs = "".join(
        f' {key}="{html.escape(value, quote=True)}"' for key, value in attributes.items() if value
    )
    body = html.escape(text, quote=False)
    return f'<{tag} id="{number}"{attrs}>\n{body}\n</{tag}>'
