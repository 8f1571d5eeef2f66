"""A small corpus in two versions, for tests that replace sessions under a running service."""

from __future__ import annotations

from pathlib import Path

SESSIONS_V1 = {
    "submissions.txt": """\
[00:00:05] Amara Okafor: Always put the decision you need in the first line of the submission.
[00:00:15] Tom Reyes: What if the private office asks for more background on the policy?
[00:00:25] Amara Okafor: Then add an annex, and never bury the ask under the background.
[00:00:40] Tom Reyes: How long should a submission to a minister be?
[00:00:50] Amara Okafor: Two pages at most; ministers read submissions late at night in the box.
""",
    "submissions.yaml": "title: Writing submissions\ndate: 2025-11-04\nkind: workshop\n",
    "ministers.txt": """\
[00:00:03] Priya Shah: Ring the private office before you send anything contentious.
[00:00:12] Dan Cole: Should I copy the special advisers on the first draft as well?
[00:00:21] Priya Shah: Only when the private office agrees; they know what the minister wants.
[00:00:35] Dan Cole: How do I earn the minister's confidence in the first hundred days?
[00:00:44] Priya Shah: Deliver small things on time and always flag bad news early.
""",
    "ministers.yaml": "title: Working with ministers\ndate: 2025-09-10\nkind: lunch-and-learn\n",
    "mentoring.txt": """\
[00:00:02] Hannah Lee: How are you finding the new team after the restructure?
[00:00:09] Kwame Mensah: Unsettled; my line manager has changed three times this year.
[00:00:18] Hannah Lee: Write down what you have delivered each month so nothing gets lost.
[00:00:30] Kwame Mensah: That would help with my end of year review too.
[00:00:38] Hannah Lee: Book a regular chat with your new manager in the first fortnight.
""",
    "mentoring.yaml": "title: Mentoring Hannah and Kwame\ndate: 2026-01-15\nkind: mentoring\n",
    "committee.md": """\
---
title: Select committee preparation
date: 2026-08-02
kind: workshop
---
# Notes

- Read the committee's last three reports before drafting any briefing.
- Prepare a one-page note of likely questions with short answers for the witness.
- Never guess at a figure in front of the committee; offer to write afterwards.
""",
}


def _v2(files: dict[str, str]) -> dict[str, str]:
    """Changed versions: edited and added turns, and one session that only loses consent."""
    out = dict(files)
    out["submissions.txt"] = (
        files["submissions.txt"].replace(
            "late at night in the box", "on Sunday evenings in the red box"
        )
        + "[00:01:05] Tom Reyes: Should the summary box repeat the recommendation word for word?\n"
    )
    out["ministers.txt"] = files["ministers.txt"].replace(
        "always flag bad news early", "tell them bad news the same day you hear it"
    )
    out["committee.md"] = files["committee.md"] + (
        "- Rehearse the opening statement aloud with a colleague playing the chair.\n"
    )
    out["mentoring.yaml"] = files["mentoring.yaml"] + "consent: false\n"
    return out


SESSIONS_V2 = _v2(SESSIONS_V1)


def write_files(folder: Path, files: dict[str, str]) -> Path:
    """Write (or overwrite) the files of one version into a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
