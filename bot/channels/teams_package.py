"""The Microsoft Teams app package: `deploy/teams/` filled in, checked, zipped.

`build_package(app_id)` fills the manifest template (`{{MicrosoftAppId}}`, `{{version}}`),
validates it against the official JSON schema for its `manifestVersion`, checks the icons and
writes the zip Teams accepts (manifest.json, color.png and outline.png at its root). Nothing is
written unless everything passes; every problem is reported, each naming where it is.

The schemas ship offline in the npm package `@microsoft/app-manifest`
(`build/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json`), installed by
scripts/setup/40-teams-schema.sh into `.tools/teams/`. They say draft-04 but use `const`, so they
are validated as draft-07; from v1.23 their patterns use `\\p{L}`, which Python's `re` does not
know: patterns are matched with the `regex` module (as JavaScript's `u` flag would).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft7Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from PIL import Image, UnidentifiedImageError

from bot import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO_ROOT / "deploy" / "teams"
SCHEMAS_ENV = "ARCHBOT_TEAMS_SCHEMAS"
SCHEMA_DIRS = (
    REPO_ROOT / ".tools/teams/node_modules/@microsoft/app-manifest/build/json-schemas/teams",
    REPO_ROOT / "node_modules/@microsoft/app-manifest/build/json-schemas/teams",
)
SCHEMA_FILE = "MicrosoftTeams.schema.json"
MANIFEST = "manifest.json"
APP_ID_PLACEHOLDER = "{{MicrosoftAppId}}"
VERSION_PLACEHOLDER = "{{version}}"
COLOR_SIZE = (192, 192)
OUTLINE_SIZE = (32, 32)
WHITE_MIN = 245
"""An outline pixel that is not fully transparent must be white (each channel at least this)."""
MAX_PACKAGE_BYTES = 4 * 1024 * 1024
GUID = regex.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class PackageError(Exception):
    """The package cannot be built; `problems` says why, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SchemaMissing(PackageError):
    """The official schema is not installed."""


# -- the schema ------------------------------------------------------------------------------


def schema_dir() -> Path | None:
    """Where the official `teams/v1.NN/` schema folders are, if installed."""
    explicit = os.environ.get(SCHEMAS_ENV)
    candidates = [Path(explicit)] if explicit else list(SCHEMA_DIRS)
    return next((d for d in candidates if d.is_dir()), None)


def schema_path(manifest_version: str) -> Path:
    """The official schema file for a manifest version (raises SchemaMissing)."""
    root = schema_dir()
    if root is None:
        raise SchemaMissing(
            [
                "the official Teams manifest schema is not installed: run "
                "`bash scripts/setup/40-teams-schema.sh` (npm @microsoft/app-manifest into "
                f".tools/teams/), or point {SCHEMAS_ENV} at its build/json-schemas/teams folder"
            ]
        )
    path = root / f"v{manifest_version}" / SCHEMA_FILE
    if not path.is_file():
        known = sorted(p.name for p in root.iterdir() if p.name.startswith("v1."))
        raise SchemaMissing(
            [
                f"{MANIFEST}: manifestVersion {manifest_version!r} has no official schema in "
                f"{root} (known: {', '.join(known)})"
            ]
        )
    return path


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]):
    """`pattern` with the `regex` module: Unicode classes such as \\p{L} work."""
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


TeamsSchemaValidator = validators.extend(Draft7Validator, {"pattern": _pattern})
"""Draft-07 (the schemas use `const`) with Unicode-aware patterns."""


@cache
def _validator(path: Path) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return TeamsSchemaValidator(schema)


def _where(error: ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"${path}"


def _explain(error: ValidationError) -> str:
    if error.validator == "pattern" and error.schema.get("pattern", "") == GUID.pattern:
        return (
            f"{error.instance!r} is not a GUID; use the bot's Microsoft App ID "
            "(Azure Bot resource → Configuration), e.g. 00000000-0000-0000-0000-000000000000"
        )
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _explain(best_match(error.context))
    return error.message


def validate_manifest(manifest: Any) -> list[str]:
    """Problems of a filled-in manifest against the official schema of its version."""
    if not isinstance(manifest, dict):
        return [f"{MANIFEST}: must be a JSON object"]
    version = manifest.get("manifestVersion")
    if not isinstance(version, str):
        return [f"{MANIFEST} $: 'manifestVersion' is a required property"]
    validator = _validator(schema_path(version))
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    return [f"{MANIFEST} {_where(e)}: {_explain(e)}" for e in errors]


# -- icons -----------------------------------------------------------------------------------


def _open_png(name: str, data: bytes) -> tuple[Image.Image | None, list[str]]:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        return None, [f"{name}: not a readable image ({error})"]
    if image.format != "PNG":
        return None, [f"{name}: must be a PNG, is {image.format}"]
    return image, []


def check_color_icon(name: str, data: bytes) -> list[str]:
    """The full-colour icon: a 192×192 PNG."""
    image, problems = _open_png(name, data)
    if image is not None and image.size != COLOR_SIZE:
        problems.append(
            f"{name}: is {image.size[0]}×{image.size[1]} pixels; the colour icon must be "
            f"{COLOR_SIZE[0]}×{COLOR_SIZE[1]}"
        )
    return problems


def check_outline_icon(name: str, data: bytes) -> list[str]:
    """The outline icon: a 32×32 PNG, white on a transparent background."""
    image, problems = _open_png(name, data)
    if image is None:
        return problems
    if image.size != OUTLINE_SIZE:
        problems.append(
            f"{name}: is {image.size[0]}×{image.size[1]} pixels; the outline icon must be "
            f"{OUTLINE_SIZE[0]}×{OUTLINE_SIZE[1]}"
        )
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    rgba = image.convert("RGBA")
    pixels = list(rgba.get_flattened_data())
    if not has_alpha or all(p[3] == 255 for p in pixels):
        problems.append(
            f"{name}: is opaque; the outline icon must be white on a transparent background"
        )
        return problems
    coloured = sum(1 for r, g, b, a in pixels if a > 0 and min(r, g, b) < WHITE_MIN)
    if coloured:
        problems.append(
            f"{name}: {coloured} visible pixel(s) are not white; the outline icon may only use "
            "white (with any transparency)"
        )
    if all(p[3] == 0 for p in pixels):
        problems.append(f"{name}: is fully transparent: there is nothing to see")
    return problems


# -- the package -----------------------------------------------------------------------------


def _fill(node: Any, values: dict[str, str]) -> Any:
    """The template with each placeholder string replaced (JSON values, never raw text)."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if isinstance(node, str):
        for placeholder, value in values.items():
            node = node.replace(placeholder, value)
    return node


def load_template(source: Path = SOURCE_DIR) -> dict[str, Any]:
    """deploy/teams/manifest.json as it is in the repository."""
    path = source / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise PackageError([f"{path}: not found"]) from error
    except json.JSONDecodeError as error:
        raise PackageError([f"{path}:{error.lineno}: not valid JSON: {error.msg}"]) from error


def fill_manifest(template: dict[str, Any], app_id: str, version: str = __version__) -> dict:
    """The manifest for one bot: its app id in `id` and the bot ids, the app's version."""
    return _fill(template, {APP_ID_PLACEHOLDER: app_id.strip(), VERSION_PLACEHOLDER: version})


@dataclass(frozen=True)
class Package:
    """What `build_package` wrote."""

    path: Path
    manifest: dict[str, Any]


def package_files(manifest: dict[str, Any], source: Path) -> dict[str, bytes]:
    """The files of the package by name, checked: the manifest and the icons it names."""
    problems = validate_manifest(manifest)
    files = {MANIFEST: json.dumps(manifest, indent=2, ensure_ascii=False).encode()}
    icons = manifest.get("icons") if isinstance(manifest.get("icons"), dict) else {}
    checks = {"color": check_color_icon, "outline": check_outline_icon}
    for kind, check in checks.items():
        name = icons.get(kind)
        if not isinstance(name, str) or not name:
            continue  # the schema already said it is missing
        if "/" in name or "\\" in name or name.startswith("."):
            problems.append(f"{MANIFEST} $.icons.{kind}: {name!r} must be a file at the root")
            continue
        path = source / name
        if not path.is_file():
            problems.append(f"{name}: not found in {source}")
            continue
        data = path.read_bytes()
        problems.extend(check(name, data))
        files[name] = data
    size = sum(len(d) for d in files.values())
    if size > MAX_PACKAGE_BYTES:
        problems.append(f"the package is {size} bytes, over Teams' {MAX_PACKAGE_BYTES}")
    if problems:
        raise PackageError(problems)
    return files


def build_package(
    app_id: str,
    out: Path | str = "archbot-teams.zip",
    *,
    source: Path = SOURCE_DIR,
    version: str = __version__,
) -> Package:
    """Fill, validate and zip the Teams app package; raise PackageError listing every problem."""
    if not app_id or not app_id.strip():
        raise PackageError(
            [
                "no app id: pass --app-id or set MicrosoftAppId to the Azure Bot's Microsoft App "
                "ID (a GUID)"
            ]
        )
    manifest = fill_manifest(load_template(source), app_id, version)
    files = package_files(manifest, source)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    partial.replace(out)
    return Package(out, manifest)


def validate_zip(path: Path | str) -> list[str]:
    """Problems of an existing package zip (the same checks as building it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if MANIFEST not in names:
                return [f"{path}: has no {MANIFEST} at its root"]
            manifest = json.loads(archive.read(MANIFEST))
            problems = validate_manifest(manifest)
            icons = manifest.get("icons") if isinstance(manifest, dict) else None
            checks = {"color": check_color_icon, "outline": check_outline_icon}
            for kind, check in checks.items():
                name = icons.get(kind) if isinstance(icons, dict) else None
                if isinstance(name, str) and name in names:
                    problems.extend(check(name, archive.read(name)))
                elif isinstance(name, str):
                    problems.append(f"{path}: has no {name} (the {kind} icon)")
            return problems
    except (zipfile.BadZipFile, json.JSONDecodeError) as error:
        return [f"{path}: {error}"]
