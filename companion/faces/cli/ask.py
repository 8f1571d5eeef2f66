"""`companion ask`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from companion.core.errors import CompanionError, InputError
from companion.core.schemas import Answer
from companion.faces.cli import app
from companion.faces.cli.common import check_date, clock, open_companion, print_json
from companion.llm.streaming import SentenceEvent


def render(answer: Answer, show_dropped: bool = False) -> str:
    """An answer as a person reads it: sentences, then numbered sources."""
    if answer.abstained:
        return "\n".join([answer.answer, *render_after(answer, show_dropped, sources=False)])
    return "\n".join([answer.answer, *render_after(answer, show_dropped)])


def render_after(answer: Answer, show_dropped: bool = False, sources: bool = True) -> list[str]:
    """What follows the answer text: numbered sources, the notice, what the verifier dropped."""
    lines: list[str] = []
    if sources:
        lines.append("")
        for i, c in enumerate(answer.citations, 1):
            when = f" at {clock(c.start)}" if c.start is not None else ""
            lines.append(f"[{i}] {c.speaker or 'notes'} · {c.session_title}{when}")
    if answer.notice:
        lines += ["", answer.notice]
    dropped = answer.verification.dropped_sentences if answer.verification else []
    if show_dropped and dropped:
        lines += ["", f"Dropped by the verifier ({len(dropped)}):"]
        lines += [f"- {d.sentence} ({d.reason})" for d in dropped]
    return lines


def print_streamed(events: Iterator[SentenceEvent | Answer], show_dropped: bool) -> None:
    """Print sentences as they arrive, then the sources (text mode, one question)."""
    started = False
    for item in events:
        if isinstance(item, SentenceEvent):
            marks = "".join(f"[{n}]" for n in item.citations)
            typer.echo(("" if not started else " ") + f"{item.text} {marks}".strip(), nl=False)
            started = True
            continue
        if started:
            typer.echo()
            typer.echo("\n".join(render_after(item, show_dropped)))
        else:
            typer.echo(render(item, show_dropped))


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
    generator: Annotated[
        str | None,
        typer.Option(
            help="extractive (quotes only) or llm (COMPANION_LLM__PROVIDER's model, verified); "
            "default: llm when a provider is configured"
        ),
    ] = None,
    show_dropped: Annotated[
        bool, typer.Option(help="also list the sentences the verifier removed, and why")
    ] = False,
) -> None:
    """Answer a question from the sessions, with citations, or say the sessions don't cover it."""
    from companion.retrieval.hybrid import SearchFilters

    if (question is None) == (batch is None):
        raise InputError("give either a question or --batch FILE")
    if question is not None and not question.strip():
        raise InputError(
            'the question is empty: ask e.g. companion ask "How do I brief a minister?"'
        )
    since, until = check_date("--since", since), check_date("--until", until)
    if batch is not None:
        if not batch.is_file():
            raise InputError(f"{batch}: no such file")
        questions = [q.strip() for q in batch.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        questions = [question or ""]
    filters = SearchFilters(
        kind=kind, speaker=speaker, since=since, until=until, include_private=include_private
    )
    service = open_companion().answers
    if batch is None and not json_out:
        print_streamed(service.stream(questions[0], filters, generator), show_dropped)
        return
    failed = False
    for q in questions:
        try:
            answer = service.ask(q, filters, generator)
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
            typer.echo(render(answer, show_dropped) + "\n")
    if failed:
        raise typer.Exit(1)
