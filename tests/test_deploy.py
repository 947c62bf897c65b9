"""deploy/: the Bicep template parses (pycep-parser; no Bicep compiler offline) and wires what the
bot reads; the Dockerfile builds what the repository holds and runs the bot as it should."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from pycep import BicepParser

from bot.operations.config import Settings
from bot.state.storage_blob import check_container_name

from .paths import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
BICEP = DEPLOY / "azure" / "main.bicep"
PARAMETERS = DEPLOY / "azure" / "main.parameters.example.json"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
WEBCHAT_SETUP = REPO_ROOT / "scripts" / "setup" / "20-webchat.sh"
PORT = 3978


# -- Bicep ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return BicepParser(cache=False).parse(file_path=BICEP)


def resources_of(template: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in template["resources"].values() if r["type"] == type_]


def one(template: dict[str, Any], type_: str) -> dict[str, Any]:
    found = resources_of(template, type_)
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]["config"]


def value_of(template: dict[str, Any], value: Any) -> Any:
    """A bare identifier's value (pycep gives identifiers and literals alike as strings)."""
    if isinstance(value, str) and value in template["variables"]:
        return template["variables"][value]["value"]
    return value


def setting(template: dict[str, Any], env: dict[str, Any]) -> str:
    """What an app setting will hold: a literal, `string(variable)`, or a stand-in for values
    that Azure fills in (secrets, the identity's ids)."""
    if "secretRef" in env:
        return f"<secret {env['secretRef']}>"
    value = env["value"]
    function = value.get("function", {}) if isinstance(value, dict) else {}
    if function.get("type") == "string":
        return str(value_of(template, function["parameters"]["value_to_convert"]))
    if not isinstance(value, str):
        return "<set by Azure>"
    return re.sub(r"\$\{(\w+)\}", lambda m: str(value_of(template, m[1])), value)


def test_the_template_parses_and_a_broken_one_does_not(template) -> None:
    assert set(template) >= {"parameters", "variables", "resources", "outputs"}
    broken = BICEP.read_text().replace("  kind: 'azurebot'\n", "  kind: 'azurebot\n")
    with pytest.raises(Exception):  # noqa: B017 - lark's errors: the parser really checks syntax
        BicepParser(cache=False).parse(text=broken)


def test_every_interpolation_names_something_declared(template) -> None:
    declared = set(template["parameters"]) | set(template["variables"]) | set(template["resources"])
    heads = re.findall(r"\$\{\s*([A-Za-z_]\w*)", BICEP.read_text())
    assert heads and set(heads) - {"az"} <= declared


def test_the_azure_resources(template) -> None:
    bot = one(template, "Microsoft.BotService/botServices")
    assert bot["kind"] == "azurebot" and bot["location"] == "global"
    assert bot["properties"]["endpoint"].endswith("/api/messages")
    assert bot["properties"]["msaAppType"] == "UserAssignedMSI"
    channels = {
        c["config"]["properties"]["channelName"]
        for c in resources_of(template, "Microsoft.BotService/botServices/channels")
    }
    assert channels == {"MsTeamsChannel", "WebChatChannel", "DirectLineChannel"}
    one(template, "Microsoft.ManagedIdentity/userAssignedIdentities")
    storage = one(template, "Microsoft.Storage/storageAccounts")
    assert storage["properties"]["allowBlobPublicAccess"] is False
    container = one(template, "Microsoft.Storage/storageAccounts/blobServices/containers")
    check_container_name(value_of(template, container["name"]))


def test_the_app_runs_n_instances_wired_to_the_bot_settings(template) -> None:
    app = one(template, "Microsoft.App/containerApps")
    scale = app["properties"]["template"]["scale"]
    assert scale["minReplicas"] == scale["maxReplicas"] == "instanceCount"
    assert template["parameters"]["instanceCount"]["default"] >= 2
    ingress = app["properties"]["configuration"]["ingress"]
    assert ingress["external"] is True and value_of(template, ingress["targetPort"]) == PORT
    (container,) = app["properties"]["template"]["containers"]
    assert {p["httpGet"]["path"] for p in container["probes"]} == {"/healthz"}

    env = {e["name"]: e for e in container["env"]}
    secrets = {s["name"] for s in app["properties"]["configuration"]["secrets"]}
    assert {e["secretRef"] for e in env.values() if "secretRef" in e} <= secrets
    for standard in ("MicrosoftAppType", "MicrosoftAppId", "MicrosoftAppTenantId"):
        assert standard in env
    assert env["ARCHBOT_BLOB_CONNECTION_STRING"]["secretRef"] in secrets
    # the settings the container gets are the ones the bot reads
    settings = Settings.from_env({name: setting(template, e) for name, e in env.items()})
    container = one(template, "Microsoft.Storage/storageAccounts/blobServices/containers")
    assert settings.storage == f"blob://{value_of(template, container['name'])}"
    assert settings.blob_connection_string and settings.admin_key
    assert settings.APP_TYPE == "UserAssignedMSI" and settings.APP_ID and settings.APP_TENANTID
    assert (settings.host, settings.port) == ("0.0.0.0", PORT)


def test_the_example_parameters_fit_the_template(template) -> None:
    declared = template["parameters"]
    given = json.loads(PARAMETERS.read_text())["parameters"]
    assert set(given) <= set(declared)
    required = {name for name, p in declared.items() if "default" not in p}
    assert required <= set(given)
    for name, entry in given.items():
        for decorator in declared[name]["decorators"]:
            argument = decorator.get("argument")
            if decorator["type"] == "allowed":
                assert entry["value"] in argument
            elif decorator["type"] == "min_value":
                assert entry["value"] >= argument
            elif decorator["type"] == "max_value":
                assert entry["value"] <= argument


def test_no_secret_is_an_output(template) -> None:
    for name in template["outputs"]:
        assert not re.search(r"key|secret|password|connection", name, re.IGNORECASE)


# -- Dockerfile -------------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


@dataclass
class Stage:
    """One FROM … of the Dockerfile and the instructions under it."""

    base: str
    name: str
    steps: list[tuple[str, str]] = field(default_factory=list)


def stages() -> list[Stage]:
    found: list[Stage] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            base, _, name = args.partition(" AS ")
            found.append(Stage(base.strip(), name.strip()))
        elif found:
            found[-1].steps.append((keyword, args))
    return found


def copies(stage: Stage) -> list[tuple[str | None, list[str], str]]:
    """(the stage copied from or None for the build context, sources, destination)."""
    found = []
    for keyword, args in stage.steps:
        if keyword == "COPY":
            words = shlex.split(args)
            origin = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            *sources, target = [w for w in words if not w.startswith("--")]
            found.append((origin, sources, target))
    return found


def ignore_rules() -> list[tuple[bool, str]]:
    """(allows, pattern) per line of the ignore file, in order (the last match wins)."""
    rules = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!").rstrip("/")))
    return rules


def in_context(path: str, rules: list[tuple[bool, str]]) -> bool:
    """Whether the ignore file lets `path` (or the folder it is in) into the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    allowed = True
    for allows, pattern in rules:
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if hit:
            allowed = allows
    return allowed


def clean_clone_context() -> list[str]:
    """The build context of a clean clone: the files git tracks that the ignore file lets in."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    rules = ignore_rules()
    return [f for f in tracked if (REPO_ROOT / f).is_file() and in_context(f, rules)]


def image_files() -> set[str]:
    """What the final stage's COPYs put under its WORKDIR, from a clean clone: context files,
    and the files copied from earlier stages (as their COPY names them)."""
    final = stages()[-1]
    (workdir,) = [args for keyword, args in final.steps if keyword == "WORKDIR"]
    context = clean_clone_context()
    files = set()
    for origin, sources, target in copies(final):
        target = str(PurePosixPath(workdir, target))
        for source in sources:
            if origin is not None:
                files.add(target)
                continue
            under = [f for f in context if f == source or f.startswith(source.rstrip("/") + "/")]
            for f in under:
                inside = PurePosixPath(f).relative_to(source) if f != source else ""
                files.add(str(PurePosixPath(target, inside)) if inside else target)
    return files


def page_assets() -> list[str]:
    """The scripts, stylesheets and images web/index.html loads (paths below the app root)."""
    page = (REPO_ROOT / "web" / "index.html").read_text()
    found = re.findall(r'(?:src|href)="([^"]+)"', page)
    return [a for a in found if not re.match(r"[a-z]+:|//|#", a)]


def webchat_pins() -> dict[str, str]:
    script = WEBCHAT_SETUP.read_text()
    return dict(re.findall(r'^(VERSION|TARBALL_SHA512|BUNDLE_SHA256)="([^"]+)"$', script, re.M))


def webchat_stage() -> Stage:
    """The build stage that runs the setup script (the one source of the pins)."""
    script = str(WEBCHAT_SETUP.relative_to(REPO_ROOT))
    found = [s for s in stages()[:-1] if any(script in a for k, a in s.steps if k == "RUN")]
    assert len(found) == 1, f"no build stage runs {script}: a clean clone has no Web Chat bundle"
    return found[0]


def test_dockerfile_base_user_port_healthcheck_and_command() -> None:
    final = stages()[-1]
    match = re.fullmatch(r"python:(3\.\d+)-slim", final.base)
    assert match, final.base
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert tuple(map(int, match[1].split("."))) >= (3, 11), requires["requires-python"]
    steps = final.steps
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [args for keyword, args in steps if keyword == "EXPOSE"] == [str(PORT)]
    (health,) = [args for keyword, args in steps if keyword == "HEALTHCHECK"]
    assert "/healthz" in health
    (command,) = [json.loads(args) for keyword, args in steps if keyword == "CMD"]
    assert command[:2] == ["archbot", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    env = " ".join(args for keyword, args in steps if keyword == "ENV")
    assert "ARCHBOT_KNOWLEDGE=/app/knowledge" in env


def test_dockerfile_copies_only_what_exists_and_the_ignore_file_allows() -> None:
    rules = ignore_rules()
    from_context = [(s, t) for stage in stages() for o, s, t in copies(stage) if o is None]
    assert from_context
    for sources, _target in from_context:
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert in_context(source, rules), f"COPY {source}: excluded by {DOCKERIGNORE.name}"
    copied = {source for sources, _ in from_context for source in sources}
    assert {"bot", "dialogs", "knowledge", "pyproject.toml", "web"} <= copied
    # a bundle left in a developer's checkout must not hide a broken build stage
    assert not in_context("web/vendor/webchat.js", rules)


def test_the_image_serves_every_file_the_chat_page_loads() -> None:
    """From a clean clone (git-tracked files only): each asset of web/index.html is in the image,
    copied from the context or made by a build stage. Without a build stage for the Web Chat
    bundle, web/vendor/webchat.js is missing and the page cannot load."""
    files = image_files()
    assets = page_assets()
    assert "web/vendor/webchat.js" in assets
    missing = [a for a in assets if f"/app/{a}" not in files]
    assert not missing, f"the image lacks what the chat page loads: {missing}"


def test_the_webchat_stage_uses_the_setup_scripts_pins() -> None:
    """The build stage runs scripts/setup/20-webchat.sh itself, strictly, so the image gets the
    version and checksums `make setup` gets; the final stage takes the bundle it checked."""
    pins = webchat_pins()
    assert set(pins) == {"VERSION", "TARBALL_SHA512", "BUNDLE_SHA256"}, pins
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins["VERSION"])
    assert re.fullmatch(r"[0-9a-f]{64}", pins["BUNDLE_SHA256"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{86}==", pins["TARBALL_SHA512"])
    stage = webchat_stage()
    script = str(WEBCHAT_SETUP.relative_to(REPO_ROOT))
    runs = [args for keyword, args in stage.steps if keyword == "RUN"]
    assert any(shlex.split(a) == ["bash", script, "--require"] for a in runs), runs
    assert [s for o, sources, _ in copies(stage) for s in sources if o is None] == [script]
    assert "botframework-webchat@" not in DOCKERFILE.read_text(), "a second, unchecked pin"
    (workdir,) = [args for keyword, args in stage.steps if keyword == "WORKDIR"]
    final = stages()[-1]
    taken = [(sources, t) for o, sources, t in copies(final) if o == stage.name]
    assert taken == [([f"{workdir}/web/vendor/webchat.js"], "./web/vendor/webchat.js")], taken


def _run_stage(stage: Stage, root: Path) -> Path:
    """Run a build stage's COPY (from a clean clone's context), WORKDIR and RUN steps in a folder
    on this machine instead of its base image; returns the stage's WORKDIR."""
    context = set(clean_clone_context())
    workdir = root
    for keyword, args in stage.steps:
        if keyword == "WORKDIR":
            workdir = root / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            *sources, target = shlex.split(args)
            for source in sources:
                assert source in context, f"COPY {source}: not in a clean clone's build context"
                destination = workdir / target
                if target.endswith("/"):
                    destination = destination / PurePosixPath(source).name
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO_ROOT / source, destination)
        elif keyword == "RUN":
            done = subprocess.run(
                ["bash", "-c", args], cwd=workdir, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, f"RUN {args} failed:\n{done.stdout}{done.stderr}"
        else:
            pytest.fail(f"{keyword} in the {stage.name} stage: teach this test what it does")
    return workdir


def test_the_webchat_stage_produces_the_pinned_bundle(tmp_path: Path) -> None:
    """The build stage's own steps, run here from a clean clone's context (no Docker engine
    needed; npm and the registry are): the bundle the final stage copies comes out, checksummed.
    The base image itself is not tried here (see the next test)."""
    if shutil.which("npm") is None:
        reason = "npm is needed to run the Dockerfile's webchat stage"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is a failure)")
        pytest.skip(reason)
    stage = webchat_stage()
    workdir = _run_stage(stage, tmp_path)
    (workdir_arg,) = [args for keyword, args in stage.steps if keyword == "WORKDIR"]
    final = stages()[-1]
    for origin, sources, _ in copies(final):
        if origin == stage.name:
            for source in sources:
                made = tmp_path / source.lstrip("/")
                assert made.is_file(), f"the stage makes no {source}"
                digest = hashlib.sha256(made.read_bytes()).hexdigest()
                assert digest == webchat_pins()["BUNDLE_SHA256"]
    assert workdir == tmp_path / workdir_arg.lstrip("/")


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    info = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    return info.returncode == 0


def test_the_image_builds_with_the_bundle_the_page_needs() -> None:
    """Where a Docker engine runs: build the image from this checkout and read the bundle back
    out of it. Skipped, even in CI, where none runs (the docker client alone cannot build)."""
    if not _docker_engine():
        pytest.skip("no Docker engine here: the build stage was run without Docker above")
    tag = "archbot-test-image:latest"
    build = subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    read = (
        "import hashlib, pathlib; "
        "print(hashlib.sha256(pathlib.Path('/app/web/vendor/webchat.js').read_bytes()).hexdigest())"
    )
    run = subprocess.run(
        ["docker", "run", "--rm", tag, "python", "-c", read],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.stdout.strip() == webchat_pins()["BUNDLE_SHA256"], run.stderr


def test_dockerfile_installs_exactly_the_pinned_dependencies() -> None:
    (run,) = [args for keyword, args in instructions() if "tomllib" in args]
    script = re.search(r'python -c "(.+?)" >', run)[1]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert done.stdout.splitlines() == project["dependencies"]
    assert all("==" in requirement for requirement in project["dependencies"])


def test_deploy_readme_walks_through_it() -> None:
    readme = (DEPLOY / "README.md").read_text()
    for mentioned in ("main.bicep", "Dockerfile", "az acr build", "Teams", "archbot notify"):
        assert mentioned in readme
