"""Reading a people.yaml file: a top-level `people:` list, validated with file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from companion.core.errors import FileInputError
from companion.core.names import normalise_name
from companion.features.people.models import Person

TEXT_FIELDS = ("role", "team", "contact")
MAX_FILE_BYTES = 5_000_000


class PeopleFileError(FileInputError):
    """A people file that cannot be used; names the file, the line and why."""

    title = "People file could not be read"


@dataclass(frozen=True)
class PersonEntry:
    """A validated person with the lines its id and each alias came from."""

    person: Person
    line: int
    alias_lines: dict[str, int]


def load_people_file(path: Path) -> list[PersonEntry]:
    """Read and validate a people file.

    Raises:
        PeopleFileError: Unreadable file, bad YAML, a missing id or name, a wrong type, a
            duplicate id, or an alias that would name two people.
    """
    where = str(path)
    if not path.is_file():
        raise PeopleFileError(where, "no such file")
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise PeopleFileError(where, f"file is too large ({len(data)} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PeopleFileError(where, "not UTF-8 text") from exc
    root = _compose(text, where)
    entries = [_read_person(node, where) for node in _people_nodes(root, where)]
    _check_unique(entries, where)
    return entries


def _compose(text: str, where: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be read"
        raise PeopleFileError(
            where, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None
        ) from exc
    except yaml.YAMLError as exc:
        raise PeopleFileError(where, f"invalid YAML: {exc}") from exc


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _people_nodes(root: yaml.Node | None, where: str) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        line = _line(root) if root is not None else 1
        raise PeopleFileError(where, "expected a top-level `people:` list", line=line)
    for key, value in root.value:
        if key.value == "people":
            if not isinstance(value, yaml.SequenceNode):
                raise PeopleFileError(where, "`people` must be a list", line=_line(value))
            return list(value.value)
    raise PeopleFileError(where, "expected a top-level `people:` list", line=_line(root))


def _scalar(node: yaml.Node) -> Any:
    # Scalars only: a mapping or list where text is expected is reported, not constructed.
    if not isinstance(node, yaml.ScalarNode):
        return node
    return yaml.SafeLoader("").construct_object(node)


def _read_person(node: yaml.Node, where: str) -> PersonEntry:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise PeopleFileError(where, "each person must be a mapping with id and name", line=line)
    fields: dict[str, tuple[yaml.Node, int]] = {k.value: (v, _line(v)) for k, v in node.value}

    def text(key: str, required: bool) -> str | None:
        if key not in fields:
            if required:
                raise PeopleFileError(where, f"person is missing `{key}`", line=line)
            return None
        value_node, value_line = fields[key]
        value = _scalar(value_node)
        if value is None and not required:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise PeopleFileError(where, f"`{key}` must be text", line=value_line)
        value = str(value).strip()
        if required and not value:
            raise PeopleFileError(where, f"`{key}` must not be empty", line=value_line)
        return value or None

    person_id = text("id", True)
    name = text("name", True)
    assert person_id is not None and name is not None
    aliases, alias_lines = _aliases(fields.get("aliases"), where, line)
    recommendable = False
    if "recommendable" in fields:
        value_node, value_line = fields["recommendable"]
        value = _scalar(value_node)
        if not isinstance(value, bool):
            raise PeopleFileError(where, "`recommendable` must be true or false", line=value_line)
        recommendable = value
    alias_lines = {name: line, **alias_lines}
    person = Person(
        id=person_id, name=name, aliases=aliases, recommendable=recommendable,
        **{key: text(key, False) for key in TEXT_FIELDS},
    )
    return PersonEntry(person, line, alias_lines)


def _aliases(
    entry: tuple[yaml.Node, int] | None, where: str, person_line: int
) -> tuple[list[str], dict[str, int]]:
    if entry is None:
        return [], {}
    node, line = entry
    if isinstance(node, yaml.ScalarNode) and _scalar(node) is None:
        return [], {}
    if not isinstance(node, yaml.SequenceNode):
        raise PeopleFileError(where, "`aliases` must be a list of names", line=line)
    aliases: list[str] = []
    lines: dict[str, int] = {}
    for item in node.value:
        value = _scalar(item)
        if not isinstance(value, str) or not normalise_name(value):
            raise PeopleFileError(where, "each alias must be a non-empty name", line=_line(item))
        aliases.append(value.strip())
        lines.setdefault(value.strip(), _line(item))
    return aliases, lines


def _check_unique(entries: list[PersonEntry], where: str) -> None:
    ids: dict[str, int] = {}
    owners: dict[str, tuple[str, str]] = {}  # normalised alias -> (person id, alias as written)
    for entry in entries:
        person = entry.person
        if person.id in ids:
            raise PeopleFileError(
                where, f"duplicate id '{person.id}' (first used on line {ids[person.id]})",
                line=entry.line,
            )
        ids[person.id] = entry.line
        for alias, alias_line in entry.alias_lines.items():
            key = normalise_name(alias)
            owner = owners.get(key)
            if owner is not None and owner[0] != person.id:
                raise PeopleFileError(
                    where,
                    f"alias '{alias}' would name both '{owner[0]}' and '{person.id}'",
                    line=alias_line,
                )
            owners[key] = (person.id, alias)
