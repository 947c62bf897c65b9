"""The Teams app package: deploy/teams/ passes the official schema (npm @microsoft/app-manifest,
scripts/setup/40-teams-schema.sh), and broken manifests or icons are rejected, each problem named.
Without the schema the tests skip, except under CI, where they fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot import __version__
from bot.channels.teams import SEARCH_COMMAND
from bot.channels.teams_package import (
    SOURCE_DIR,
    PackageError,
    SchemaMissing,
    TeamsSchemaValidator,
    build_package,
    check_outline_icon,
    schema_dir,
    schema_path,
    validate_manifest,
    validate_zip,
)
from bot.operations.cli import main

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


@pytest.fixture(autouse=True)
def official_schema() -> Path:
    root = schema_dir()
    if root is None:
        message = "@microsoft/app-manifest is not installed: run scripts/setup/40-teams-schema.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of deploy/teams/ to break."""
    copy = tmp_path / "teams"
    shutil.copytree(SOURCE_DIR, copy)
    return copy


def edit_manifest(source: Path, change) -> None:
    path = source / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def rejected(source: Path, tmp_path: Path, app_id: str = APP_ID) -> list[str]:
    out = tmp_path / "out.zip"
    with pytest.raises(PackageError) as caught:
        build_package(app_id, out, source=source)
    assert not out.exists(), "nothing is written when the package is invalid"
    return caught.value.problems


# -- the real package ------------------------------------------------------------------------


def test_the_package_passes_the_official_schema(tmp_path):
    package = build_package(APP_ID, tmp_path / "archbot-teams.zip")
    with zipfile.ZipFile(package.path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert validate_zip(package.path) == []
    assert manifest["id"] == APP_ID
    assert manifest["version"] == __version__
    major, minor = (int(p) for p in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)
    assert f"v{manifest['manifestVersion']}/" in manifest["$schema"]
    assert "{{" not in json.dumps(manifest), "every placeholder is filled"


def test_the_manifest_declares_the_bot_its_commands_and_the_extension(tmp_path):
    manifest = build_package(APP_ID, tmp_path / "p.zip").manifest
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    lists = {scope: cl["commands"] for cl in bot["commandLists"] for scope in cl["scopes"]}
    assert set(lists) == {"personal", "team", "groupChat"}
    assert all(any(c["title"] == "help" for c in commands) for commands in lists.values())
    (extension,) = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID
    (command,) = extension["commands"]
    assert command["id"] == SEARCH_COMMAND and command["type"] == "query"
    assert command["parameters"][0]["name"] == "query"


def test_the_manifest_uses_the_newest_schema_the_official_package_has(official_schema):
    versions = [
        tuple(int(n) for n in d.name[1:].split("."))
        for d in official_schema.iterdir()
        if re.fullmatch(r"v\d+\.\d+", d.name)
    ]
    manifest = json.loads((SOURCE_DIR / "manifest.json").read_text(encoding="utf-8"))
    newest = ".".join(str(n) for n in max(versions))
    assert manifest["manifestVersion"] == newest
    assert manifest["$schema"].endswith(f"/v{newest}/MicrosoftTeams.schema.json")


async def test_every_prompt_starter_gets_an_answer(tmp_path, kb):
    """The manifest's commandLists are Teams' prompt starters: each is a question ArchBot
    answers (not "I don't know"), in the scope it is offered in."""
    from bot.hosting.runtime import MEMORY_URL, build_runtime
    from bot.operations.config import Settings

    from .conversation import Conversation

    manifest = build_package(APP_ID, tmp_path / "p.zip").manifest
    runtime = build_runtime(Settings(storage=MEMORY_URL), kb)
    unknown = runtime.handler.replies.unknown().text
    starters = {c["title"] for cl in manifest["bots"][0]["commandLists"] for c in cl["commands"]}
    assert len(starters) >= 5
    for title in sorted(starters):
        turn = await Conversation(runtime.handler, "msteams", f"c-{title}").say(title)
        assert turn.messages and unknown not in turn.text, title


def test_the_icons_are_the_sizes_teams_wants():
    with Image.open(SOURCE_DIR / "color.png") as color:
        assert color.size == (192, 192)
    with Image.open(SOURCE_DIR / "outline.png") as outline:
        assert outline.size == (32, 32)
        pixels = list(outline.convert("RGBA").get_flattened_data())
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}
    assert any(p[3] == 0 for p in pixels)


def test_the_official_schemas_quirks_are_handled(official_schema):
    """They say draft-04 but use `const`; from v1.23 patterns use \\p{L}."""
    raw = schema_path("1.24").read_text(encoding="utf-8")
    assert '"http://json-schema.org/draft-04/schema#"' in raw and '"const"' in raw
    assert "\\\\p{L}" in raw
    with pytest.raises(re.error):
        re.compile(r"^[\p{L}][\p{L}0-9._]*$")
    validator = TeamsSchemaValidator({"type": "string", "pattern": r"^[\p{L}][\p{L}0-9._]*$"})
    assert validator.is_valid("Zähler_1") and not validator.is_valid("1x")
    assert not TeamsSchemaValidator({"const": "1.24"}).is_valid("1.23")  # draft-04 has no const


# -- broken manifests --------------------------------------------------------------------------


def test_a_bad_app_id_is_rejected_clearly(source, tmp_path):
    problems = rejected(source, tmp_path, app_id="my-bot")
    assert "manifest.json $.id: 'my-bot' is not a GUID" in problems[-1]
    assert any(p.startswith("manifest.json $.bots[0].botId:") for p in problems)


def test_a_missing_name_is_rejected(source, tmp_path):
    edit_manifest(source, lambda m: m.pop("name"))
    assert rejected(source, tmp_path) == ["manifest.json $: 'name' is a required property"]


def test_a_too_long_short_name_and_an_unknown_scope_are_rejected(source, tmp_path):
    def change(manifest):
        manifest["name"]["short"] = "A" * 31
        manifest["bots"][0]["scopes"].append("everywhere")

    edit_manifest(source, change)
    problems = rejected(source, tmp_path)
    assert any(p.startswith("manifest.json $.name.short: ") and "too long" in p for p in problems)
    assert any("$.bots[0].scopes[3]" in p and "everywhere" in p for p in problems)


def test_an_unknown_manifest_version_is_named(source, tmp_path):
    edit_manifest(source, lambda m: m.update(manifestVersion="1.99"))
    (problem,) = rejected(source, tmp_path)
    assert "manifestVersion '1.99' has no official schema" in problem


def test_a_wrong_icon_size_is_rejected(source, tmp_path):
    Image.new("RGBA", (100, 100), (15, 108, 189, 255)).save(source / "color.png")
    assert rejected(source, tmp_path) == [
        "color.png: is 100×100 pixels; the colour icon must be 192×192"
    ]


def test_an_opaque_outline_is_rejected(source, tmp_path):
    Image.new("RGB", (32, 32), (255, 255, 255)).save(source / "outline.png")
    (problem,) = rejected(source, tmp_path)
    assert problem.startswith("outline.png: is opaque")


def test_a_coloured_outline_is_rejected(source, tmp_path):
    icon = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    icon.putpixel((5, 5), (15, 108, 189, 255))
    icon.save(source / "outline.png")
    (problem,) = rejected(source, tmp_path)
    assert "1 visible pixel(s) are not white" in problem


def test_a_missing_icon_or_a_non_png_is_rejected(source, tmp_path):
    (source / "outline.png").unlink()
    (source / "color.png").write_text("not an image")
    problems = rejected(source, tmp_path)
    assert any(p.startswith("color.png: not a readable image") for p in problems)
    assert any(p.startswith("outline.png: not found") for p in problems)


def test_every_problem_is_reported_at_once(source, tmp_path):
    edit_manifest(source, lambda m: m.pop("name"))
    Image.new("RGB", (32, 32), (255, 255, 255)).save(source / "outline.png")
    assert len(rejected(source, tmp_path, app_id="x")) >= 5


def test_the_outline_check_accepts_a_palette_png_with_transparency(tmp_path):
    icon = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    icon.putpixel((3, 3), (255, 255, 255, 255))
    path = tmp_path / "o.png"
    icon.convert("P").save(path, transparency=0)
    with Image.open(path) as reopened:
        assert reopened.mode == "P"
    assert check_outline_icon("o.png", path.read_bytes()) == []


def test_without_the_schema_the_message_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHBOT_TEAMS_SCHEMAS", str(tmp_path / "nowhere"))
    with pytest.raises(SchemaMissing) as caught:
        validate_manifest({"manifestVersion": "1.24"})
    assert "scripts/setup/40-teams-schema.sh" in str(caught.value)


# -- the command -------------------------------------------------------------------------------


def test_archbot_teams_package_writes_the_zip(tmp_path, capsys, monkeypatch):
    out = tmp_path / "archbot-teams.zip"
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    assert main(["teams", "package", "--out", str(out)]) == 0
    assert out.is_file() and validate_zip(out) == []
    assert "valid against the official schema" in capsys.readouterr().out


def test_archbot_teams_package_explains_a_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    out = tmp_path / "p.zip"
    assert main(["teams", "package", "--out", str(out)]) == 1
    assert "pass --app-id or set MicrosoftAppId" in capsys.readouterr().err
    assert main(["teams", "package", "--app-id", "bot", "--out", str(out)]) == 1
    assert "'bot' is not a GUID" in capsys.readouterr().err
    assert not out.exists()
