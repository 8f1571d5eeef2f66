"""`companion ask`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from companion.cli import app
from companion.cli.common import clock, open_context, print_json
from companion.errors import CompanionError, InputError
from companion.schemas import Answer


def render(answer: Answer) -> str:
    """An answer as a person reads it: sentences, then numbered sources."""
    if answer.abstained:
        return answer.answer
    lines = [answer.answer, ""]
    for i, c in enumerate(answer.citations, 1):
        when = f" at {clock(c.start)}" if c.start is not None else ""
        lines.append(f"[{i}] {c.speaker or 'notes'} · {c.session_title}{when}")
    if answer.notice:
        lines += ["", answer.notice]
    return "\n".join(lines)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="the question")] = None,
    batch: Annotated[Path | None, typer.Option(help="a file with one question a line")] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="print JSON (one object a line)")
    ] = False,
    kind: Annotated[str | None, typer.Option(help="only sessions of this kind")] = None,
    speaker: Annotated[
        str | None, typer.Option(help="only chunks where this speaker talks")
    ] = None,
    since: Annotated[str | None, typer.Option(help="only sessions on or after YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="only sessions on or before YYYY-MM-DD")] = None,
    include_private: Annotated[
        bool, typer.Option(help="include sessions whose participants did not consent to sharing")
    ] = False,
) -> None:
    """Answer a question from the sessions, with citations, or say the sessions don't cover it."""
    from companion.answering.service import AnswerService
    from companion.retrieval.hybrid import SearchFilters

    if (question is None) == (batch is None):
        raise InputError("give either a question or --batch FILE")
    if batch is not None:
        if not batch.is_file():
            raise InputError(f"{batch}: no such file")
        questions = [q.strip() for q in batch.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        questions = [question or ""]
    filters = SearchFilters(
        kind=kind, speaker=speaker, since=since, until=until, include_private=include_private
    )
    service = AnswerService(open_context())
    failed = False
    for q in questions:
        try:
            answer = service.ask(q, filters)
        except CompanionError as exc:
            if batch is None:
                raise
            failed = True
            typer.echo(f"error: {exc.detail}", err=True)
            if json_out:
                print_json({"question": q, "error": exc.detail})
            continue
        if json_out:
            print_json(answer)
        else:
            typer.echo(render(answer) + ("\n" if batch else ""))
    if failed:
        raise typer.Exit(1)
