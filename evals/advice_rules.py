"""Today's rules, frozen: the advice test of `companion/tips/extraction.py` at commit f06986a.

The cue lists were replaced by the learned detector; the report compares against the rules as
they were, so the module is read from git history (not copied into the tree: several of its
phrases were fitted to the sample gold). Its imports are pointed at where those helpers live
since the restructure (`_MOVED`); the rules themselves are unchanged.
"""

from __future__ import annotations

import subprocess
import sys
import types
from functools import cache
from pathlib import Path

from companion.core.settings import TipsSettings

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "f06986a"
_MOVED = {  # module at COMMIT -> module now
    "companion.answering.verifier": "companion.core.grounding",
    "companion.retrieval.terms": "companion.core.terms",
    "companion.schemas": "companion.core.schemas",
    "companion.settings": "companion.core.settings",
    "companion.summaries.sentences": "companion.core.text",
    "ingest.chunking": "companion.core.text",
}


@cache
def rules_module() -> types.ModuleType:
    """`companion.features.tips.extraction` as of `COMMIT`, loaded under a private name."""
    source = subprocess.run(
        ["git", "show", f"{COMMIT}:companion/tips/extraction.py"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    for old, new in _MOVED.items():
        source = source.replace(f"from {old} import", f"from {new} import")
    module = types.ModuleType("_extraction_f06986a")
    module.__file__ = f"<git {COMMIT}>"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def rules_say_advice(sentences: list[str], settings: TipsSettings | None = None) -> list[bool]:
    """True where the old `advice_cue` takes the sentence as advice."""
    cfg = settings or TipsSettings()
    cue = rules_module().advice_cue
    return [cue(s, cfg) is not None for s in sentences]
