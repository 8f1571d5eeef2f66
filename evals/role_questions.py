"""Role questions on AMI product-design meetings: is a person of the right role first.

Two sets of twelve questions written for this check (three per AMI role), each asked of a store
holding three AMI series with a people directory that gives each speaker their role (the AMI
role written as a job title, as a people file would hold it):

- `QUESTIONS` over three QMSum TRAIN series: they tuned `peers.role_weight`, so their figures
  are in-sample;
- `DEV_QUESTIONS` (`--dev`) over three other TRAIN series, written after the held-out failures
  were read for their *kind* only (questions about who was responsible for, decided or checked
  something, where another role talks more about the subject itself); worded afresh from what the
  AMI roles own, before those series were read. They tune `peers.role_weight` with `QUESTIONS`,
  so they are in-sample too;
- `HELDOUT_QUESTIONS` (`--heldout`), worded afresh from what the AMI roles own (not from any
  transcript, gold or summary), over the first val series of each AMI site (ES2006, IS1006,
  TS3009: the rule was fixed before any was read). Nothing was tuned on them.
- `FRESH_QUESTIONS` (`--fresh`), a second held-out set over two other val series (ES2009,
  TS3010), worded the same way and committed before any run on them.
- `THIRD_QUESTIONS` (`--third`), a third held-out set over train series ES2016, IS1009 and
  TS3012 (no val AMI series was left), which the role profiles' fit leaves out; committed
  before any run on them.

`--grid` ranks the 24 train questions once without roles, then applies each role weight,
temperature and role profile weight (`features/peers/roles.py`, `role_profiles.py`) and counts;
it chose `peers.role_weight`, `peers.role_temperature` and `peers.role_profile_weight`
(in-sample for the weights; the role profiles are fitted without these series).

Run: `python -m evals.role_questions [--heldout|--fresh|--third|--dev|--grid] [--cache DIR]
[--role-weight W ...]
[--out FILE]`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from companion.app import build_pipeline
from companion.core.settings import Settings
from companion.features.peers.role_profiles import default_profiles
from companion.features.peers.roles import role_fit
from companion.features.peers.service import PeerService
from companion.features.people import PeopleDirectory, load_people_file
from companion.retrieval.context import Context
from evals.expert_gold import QMSUM

SERIES = ("ES2002", "IS1004", "TS3005")
ROLES = {
    "Project Manager": "Project Manager",
    "Marketing": "Marketing Expert",
    "Industrial Designer": "Industrial Designer",
    "User Interface": "User Interface Designer",
}
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who kept track of the project budget and the production cost limit?", "Project Manager"),
    ("whom should I shadow to learn how to chair a design meeting and keep to the agenda?",
     "Project Manager"),
    ("who sets the schedule for the project and hands out the tasks?", "Project Manager"),
    ("who knows what younger customers want from a remote control?", "Marketing"),
    ("who ran the survey on how people use their remotes at home?", "Marketing"),
    ("who can explain the current fashion trends in consumer electronics?", "Marketing"),
    ("who knows about the chips and the power supply inside the remote?", "Industrial Designer"),
    ("who can advise whether the case should be plastic, rubber or wood?", "Industrial Designer"),
    ("whom should I shadow to learn how the internal components get chosen?",
     "Industrial Designer"),
    ("who knows about the button layout and the menu on the screen?", "User Interface"),
    ("who can tell me how to make the controls easy to use?", "User Interface"),
    ("whom should I shadow to learn how to design the look and feel of the interface?",
     "User Interface"),
)


DEV_SERIES = ("ES2008", "IS1008", "TS3008")
DEV_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who was responsible for keeping the remote under its cost target?", "Project Manager"),
    ("who summed up the decisions and next steps at the end of each meeting?",
     "Project Manager"),
    ("who was accountable for the project finishing on time?", "Project Manager"),
    ("who was responsible for testing the design against what customers asked for?",
     "Marketing"),
    ("who set the criteria the team used to evaluate the product?", "Marketing"),
    ("who decided which user needs mattered most for the product?", "Marketing"),
    ("who was responsible for choosing the chip and the electronics?", "Industrial Designer"),
    ("who decided how the remote would be powered?", "Industrial Designer"),
    ("who signed off on the physical construction of the case?", "Industrial Designer"),
    ("who was responsible for the look of the remote's controls?", "User Interface"),
    ("who decided how users would navigate the remote's functions?", "User Interface"),
    ("who evaluated how easy the interface was to learn?", "User Interface"),
)


HELDOUT_SERIES = ("ES2006", "IS1006", "TS3009")
HELDOUT_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who chaired these meetings and wrote up the minutes?", "Project Manager"),
    ("whom should I shadow to learn how to open a kickoff and set out the project goals?",
     "Project Manager"),
    ("who checked that the design stayed within what we may spend on each unit?",
     "Project Manager"),
    ("who found out what users dislike about the remotes they own now?", "Marketing"),
    ("who presented the market research and the target group for the product?", "Marketing"),
    ("who judged the final prototype against the user requirements?", "Marketing"),
    ("who knows which batteries or energy source the device should run on?",
     "Industrial Designer"),
    ("who can explain how the circuit board and the infrared signal work?",
     "Industrial Designer"),
    ("whom should I shadow to learn how to choose materials for the casing?",
     "Industrial Designer"),
    ("who decided which functions and buttons go on the remote?", "User Interface"),
    ("who worked out the layout and the colours of the buttons users press?", "User Interface"),
    ("whom should I shadow to learn how to design what the user sees and touches?",
     "User Interface"),
)


# A second held-out set (`--fresh`): two other val series, questions worded afresh from what the
# AMI roles own and committed before any run on these series (nothing tuned on them).
FRESH_SERIES = ("ES2009", "TS3010")
FRESH_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who opened each meeting and went through the agenda?", "Project Manager"),
    ("whom should I shadow to learn how to keep a design team on schedule?", "Project Manager"),
    ("who reported the instructions that came from management about the project?",
     "Project Manager"),
    ("who knows what consumers are willing to pay for a remote control?", "Marketing"),
    ("who can tell me which trends the market is following this year?", "Marketing"),
    ("whom should I shadow to learn how to evaluate a product with its users in mind?",
     "Marketing"),
    ("who knows how the components inside the remote fit together?", "Industrial Designer"),
    ("who can advise on the shape and the material of the remote's shell?",
     "Industrial Designer"),
    ("whom should I shadow to learn how to build a prototype from parts?",
     "Industrial Designer"),
    ("who knows how people find their way through the remote's functions?", "User Interface"),
    ("who can explain which buttons should be large and where they should sit?",
     "User Interface"),
    ("whom should I shadow to learn how to sketch a user interface?", "User Interface"),
)


# A third held-out set (`--third`). Every val AMI series is already used by `--heldout` and
# `--fresh`, so these are the last TRAIN series of each AMI site in name order (ES2016, IS1009,
# TS3012; none is in another set), fixed by that rule before any was read. The role profiles
# (`evals/fit_role_profiles.py`) leave them out of their fit and nothing is tuned on them, so
# this set is held out from everything; questions worded afresh from what the AMI roles own
# (not from any transcript, gold or summary), committed before any run on these series.
THIRD_SERIES = ("ES2016", "IS1009", "TS3012")
THIRD_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("who made sure each meeting ended on time and closed it?", "Project Manager"),
    ("whom should I shadow to learn how to hand out work to each team member?",
     "Project Manager"),
    ("who added up whether the parts came in under the target price?", "Project Manager"),
    ("who knows which age group the product should be aimed at?", "Marketing"),
    ("whom should I shadow to learn how to present consumer research to a design team?",
     "Marketing"),
    ("who led the rating of the finished product against its criteria?", "Marketing"),
    ("who can explain which chip the remote needs for what it does?", "Industrial Designer"),
    ("who knows whether a curved case can be made and from what?", "Industrial Designer"),
    ("whom should I shadow to learn how the working parts of a gadget are engineered?",
     "Industrial Designer"),
    ("who knows where the volume and channel buttons should go?", "User Interface"),
    ("who can advise on whether the remote should have a display screen?", "User Interface"),
    ("whom should I shadow to learn how to make a device easy for first-time users?",
     "User Interface"),
)


def people_yaml(series: tuple[str, ...]) -> str:
    """A people file: one recommendable person per speaker label, with their role."""
    lines = ["people:"]
    for s in series:
        for label, title in ROLES.items():
            pid = f"{s.lower()}-{label.lower().replace(' ', '-')}"
            lines.append(f"  - {{id: {pid}, name: '{label} ({s})', role: '{title}',"
                         f" recommendable: true, contact: {pid}@example.org}}")
    return "\n".join(lines) + "\n"


def open_store(cache: Path, series: tuple[str, ...] = SERIES, split: str = "train") -> Context:
    """The series ingested once into `cache/roles` (or `roles-val`), with the people file."""
    if series == THIRD_SERIES:
        name = "roles-third"
    elif split == "train":
        name = "roles" if series == SERIES else "roles-dev"
    else:
        name = f"roles-{split}" if series == HELDOUT_SERIES else "roles-fresh"
    folder = cache / ("role-sessions" if name == "roles" else f"{name}-sessions")
    folder.mkdir(parents=True, exist_ok=True)
    for s in series:
        for part in "abcd":
            src = QMSUM / split / f"{s}{part}.json"
            if src.is_file() and not (folder / src.name).is_file():
                shutil.copy(src, folder / src.name)
    ctx = Context(Settings(data_dir=cache / name), show_progress=True)
    report = build_pipeline(ctx).ingest([folder])
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.failed}")
    people = cache / ("role-people.yaml" if name == "roles" else f"{name}-people.yaml")
    people.write_text(people_yaml(series), encoding="utf-8")
    PeopleDirectory(ctx.catalog).upsert(load_people_file(people), source=str(people))
    return ctx


def role_of(person_id: str) -> str:
    """The AMI role of a person id made by `people_yaml`."""
    return next(label for label in ROLES if person_id.endswith(label.lower().replace(" ", "-")))


def evaluate(ctx: Context, role_weight: float, verbose: bool,
             questions: tuple[tuple[str, str], ...] = QUESTIONS,
             focus: float | None = None, rows: list[str] | None = None) -> tuple[int, int]:
    """(right role first, right role in the top three) over the twelve questions.

    With `verbose`, each question's table row is printed (and appended to `rows` if given).
    """
    service = PeerService(ctx, record=False)
    update: dict[str, float] = {"role_weight": role_weight}
    if focus is not None:
        update["expertise_session_focus"] = focus
    service.settings = service.settings.model_copy(update=update)
    first = top3 = 0
    for question, role in questions:
        ranked = [role_of(p.person.id) for p in service.rank(question).people]
        first += bool(ranked) and ranked[0] == role
        top3 += role in ranked[:3]
        if verbose:
            row = f"| {question} | {role} | {', '.join(ranked[:3]) or '(nobody)'} |"
            print(row)
            if rows is not None:
                rows.append(row)
    return first, top3


GRID_WEIGHTS = (0.0, 1.0, 2.0, 4.0)
GRID_TEMPERATURES = (0.01, 0.02, 0.05, 0.1)
GRID_PROFILE_WEIGHTS = (0.0, 0.1, 0.2, 0.4, 0.8, 1.6)


def grid(cache: Path) -> list[str]:
    """Right-role-first and top-three counts on the 24 train questions per (weight, temperature).

    Expertise is ranked once per question with no role bonus; each grid point then multiplies it
    by `1 + weight * role_fit(...)`, as `PeerService.rank` does.
    """
    asked = []
    for series, questions in ((SERIES, QUESTIONS), (DEV_SERIES, DEV_QUESTIONS)):
        ctx = open_store(cache, series)
        service = PeerService(ctx, record=False)
        service.settings = service.settings.model_copy(update={"role_weight": 0.0})
        for question, role in questions:
            ranking = service.rank(question)
            asked.append((ctx, question, role, ranking))
    lines = ["## Role weight, temperature and profile weight on the 24 train role questions "
             "(IN-SAMPLE for the weights; the role profiles leave these series out)\n",
             "| role_weight | temperature | role_profile_weight | right role first "
             "| in the top three |", "|---:|---:|---:|---:|---:|"]
    profiles = default_profiles()
    for weight in GRID_WEIGHTS:
        for temperature in GRID_TEMPERATURES if weight else (0.0,):
            for beta in GRID_PROFILE_WEIGHTS if weight else (0.0,):
                first = top3 = 0
                for ctx, question, role, ranking in asked:
                    people = [p.person for p in ranking.people]
                    fit = role_fit(question, people, ctx.embeddings, ranking.topic_vector,
                                   temperature or 1.0, profiles, beta)
                    scored = sorted(ranking.people, key=lambda p: (
                        -p.evidence_score * (1 + weight * fit.get(p.person.id, 0.0)),
                        p.person.id))
                    roles = [role_of(p.person.id) for p in scored]
                    first += bool(roles) and roles[0] == role
                    top3 += role in roles[:3]
                lines.append(f"| {weight} | {temperature} | {beta} | {first}/{len(asked)} | "
                             f"{top3}/{len(asked)} |")
    return lines


def main() -> None:
    """Print right-role-first and top-three counts for each role weight asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "companion-role-questions")
    parser.add_argument("--role-weight", type=float, nargs="*", default=[0.0, 0.5, 1.0, 2.0])
    parser.add_argument("--focus", type=float, nargs="*", default=[None],
                        help="peers.expertise_session_focus values to try (default: the setting)")
    parser.add_argument("--heldout", action="store_true",
                        help="the held-out questions over val series (nothing tuned on them)")
    parser.add_argument("--fresh", action="store_true",
                        help="the second held-out set over two other val series")
    parser.add_argument("--third", action="store_true",
                        help="the third held-out set over train series no fit has read")
    parser.add_argument("--dev", action="store_true",
                        help="the responsibility questions over three other train series")
    parser.add_argument("--grid", action="store_true",
                        help="role weight x temperature on the 24 train questions")
    parser.add_argument("--out", type=Path, help="also write the printed tables to this file")
    args = parser.parse_args()
    lines: list[str] = []
    if args.grid:
        lines = grid(args.cache)
        print("\n".join(lines))
        if args.out:
            args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return

    def emit(text: str) -> None:
        print(text)
        lines.append(text)

    if args.dev:
        ctx = open_store(args.cache, DEV_SERIES)
        questions = DEV_QUESTIONS
        emit(f"## Role questions on QMSum train series {', '.join(DEV_SERIES)} (IN-SAMPLE)\n")
    elif args.third:
        ctx = open_store(args.cache, THIRD_SERIES)
        questions = THIRD_QUESTIONS
        emit(f"## Third held-out role questions on QMSum train series "
             f"{', '.join(THIRD_SERIES)} (left out of every fit)\n")
    elif args.fresh:
        ctx = open_store(args.cache, FRESH_SERIES, "val")
        questions = FRESH_QUESTIONS
        emit(f"## Fresh held-out role questions on QMSum val series {', '.join(FRESH_SERIES)}\n")
    elif args.heldout:
        ctx = open_store(args.cache, HELDOUT_SERIES, "val")
        questions = HELDOUT_QUESTIONS
        emit(f"## Held-out role questions on QMSum val series {', '.join(HELDOUT_SERIES)}\n")
    else:
        ctx = open_store(args.cache)
        questions = QUESTIONS
        emit(f"## Role questions on QMSum train series {', '.join(SERIES)} (IN-SAMPLE)\n")
    for weight in args.role_weight:
        for focus in args.focus:
            emit(f"\n### role_weight {weight}, session focus {focus}\n\n"
                 "| question | role | top three |\n|---|---|---|")
            first, top3 = evaluate(ctx, weight, verbose=True, questions=questions, focus=focus,
                                   rows=lines)
            emit(f"\nright role first {first}/12, in the top three {top3}/12")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
