"""The demo catalogue: real procedures of the national catalogue with the demo province's
own internal processes (data/demo/*.json, see data/ORIGIN.md).

`load_demo_procedures()` needs the demo province (`organizations.demo.load_demo`): the
processes name its agencies by identification code (H57.02, H57.13, …). It is idempotent: a
second run finds every record unchanged and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from tinhso.procedures.importing import ImportReport, import_path

ACTOR: Final = "system:demo"
DEMO_DIR: Final = Path(__file__).resolve().parent / "data" / "demo"


def load_demo_procedures(*, publish: bool = True) -> ImportReport:
    """Import the demo catalogue, publishing each procedure unless told not to."""
    return import_path(DEMO_DIR, actor=ACTOR, publish=publish)
