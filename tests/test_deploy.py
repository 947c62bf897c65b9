"""deploy/: the Bicep template parses (pycep-parser; no Bicep compiler offline) and wires what the
bot reads; the Dockerfile builds what the repository holds and runs the bot as it should."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
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


def test_dockerfile_base_user_port_healthcheck_and_command() -> None:
    steps = instructions()
    (base,) = [args for keyword, args in steps if keyword == "FROM"]
    match = re.fullmatch(r"python:(3\.\d+)-slim", base)
    assert match, base
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert tuple(map(int, match[1].split("."))) >= (3, 11), requires["requires-python"]
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
    allowed = [
        line[1:].rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.startswith("!")
    ]
    copies = [shlex.split(args) for keyword, args in instructions() if keyword == "COPY"]
    assert copies
    for *sources, _target in copies:
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY {source}: not in the repository"
            assert source in allowed, f"COPY {source}: excluded by {DOCKERIGNORE.name}"
    copied = {source for *sources, _ in copies for source in sources}
    assert {"bot", "dialogs", "knowledge", "pyproject.toml"} <= copied


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
