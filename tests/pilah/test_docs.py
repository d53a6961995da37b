"""The README is the manual: every command and setting a user can meet is documented there."""

from __future__ import annotations

import importlib.util

import click
import pytest

from pilah import PROJECT_ROOT
from pilah.cli import main
from pilah.settings import Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "pilah") -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


COMMANDS = _commands(main)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"{name} has no help text"


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_every_command_appears_in_the_readme(name: str) -> None:
    top_level = " ".join(name.split()[:2])
    assert f"`{name}" in README or f"`{top_level}" in README, f"README does not mention {name}"


@pytest.mark.parametrize("setting", sorted(Settings.model_fields))
def test_every_setting_is_documented(setting: str) -> None:
    assert setting in README or f"PILAH_{setting.upper()}" in README, f"README does not document {setting}"


@pytest.mark.parametrize("package", ["ingest", "classify", "triage"])
def test_generic_package_names_resolve_inside_the_repository(package: str) -> None:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None
    assert spec.origin.startswith(str(PROJECT_ROOT)), f"{package} resolves to {spec.origin}"
