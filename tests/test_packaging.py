"""The wheel: built from the checkout, installed in a fresh virtual environment, it carries
every instrument, the schema and the example data, and its command runs."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_loads_every_instrument(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT)
    (wheel,) = dist.glob("efficacy-*.whl")

    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    fresh_site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    )
    # the dependencies come from the test environment; efficacy itself only from the wheel
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel)

    bundled = sorted(p.stem for p in (ROOT / "instruments").glob("*.yaml"))
    script = (
        "import json, efficacy as ef\n"
        "ids = list(ef.list_instruments().index)\n"
        "for i in ids: ef.load(i)\n"
        "print(json.dumps({'file': ef.__file__, 'ids': ids}))\n"
    )
    report = json.loads(run(python, "-c", script, cwd=tmp_path))
    assert Path(report["file"]).is_relative_to(env_dir)
    assert report["ids"] == bundled
    assert "gse" in run(env_dir / "bin" / "efficacy", "list", cwd=tmp_path)
