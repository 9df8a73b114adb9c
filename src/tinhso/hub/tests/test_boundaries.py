"""The hub is deployable on its own: its code imports nothing of an installation."""

from __future__ import annotations

import ast
from pathlib import Path

import tinhso.hub

FORBIDDEN = (
    "tinhso.documents",
    "tinhso.organizations",
    "tinhso.signatures",
    "tinhso.dossiers",
    "tinhso.procedures",
)
HUB_DIR = Path(tinhso.hub.__file__).resolve().parent


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_hub_imports_nothing_of_an_installation() -> None:
    # The tests may use the test PKI (tinhso.testing.signing); the hub's code may not.
    sources = [p for p in HUB_DIR.rglob("*.py") if "tests" not in p.relative_to(HUB_DIR).parts]
    assert len(sources) > 10
    offending = {
        f"{path.relative_to(HUB_DIR)}: {name}"
        for path in sources
        for name in _imports(path)
        if name.startswith(FORBIDDEN) or name in ("tinhso.documents", "tinhso.organizations")
    }
    assert offending == set()


def test_the_hub_templates_reach_no_installation_route() -> None:
    # Only the hub's own routes, sign-in and the language switch exist in the hub's role.
    for template in (HUB_DIR / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for chunk in text.split("{% url ")[1:]:
            name = chunk.split()[0].strip("'\"")
            assert name.startswith(("hub:", "accounts:")), f"{template.name}: {name}"
