"""Installed from a built wheel, in a fresh virtual environment, the app speaks Vietnamese."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
NOT_IN_A_CLEAN_CHECKOUT = shutil.ignore_patterns(
    ".git", ".venv", "instance", "tests", "bench", "build", "*.egg-info", "__pycache__", "*.mo", "test-artifacts",
    ".pytest_cache", ".hypothesis",
)

SEE_VIETNAMESE = textwrap.dedent("""
    import sys
    from pathlib import Path

    import registry
    from registry import create_app
    from registry.extensions import db

    assert Path(registry.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), registry.__file__
    app = create_app({"TESTING": True})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="vi"' in page, page[:300]
    assert "Đăng nhập" in page, page[:2000]
    follow = client.get("/desk/", follow_redirects=True).get_data(as_text=True)
    assert "Vui lòng đăng nhập để xem trang này." in follow, follow[:2000]
    print("OK")
""")


@pytest.mark.packaging
def test_an_installed_wheel_speaks_vietnamese(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(CHECKOUT, source, ignore=NOT_IN_A_CLEAN_CHECKOUT)
    assert not list(source.rglob("*.mo")), "the copy must start without compiled catalogs"
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(source)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("registry-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from the environment running the tests, as a plain path: its .pth files (and with
    # them an editable install of this checkout) are not read, so `registry` can only come from the wheel.
    site_packages = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        check=True, capture_output=True, text=True).stdout.strip())
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True)

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH", "SEARCH_BACKEND")}
    env["REGISTRY_INSTANCE_PATH"] = str(tmp_path / "instance")
    run = subprocess.run([str(python), "-c", SEE_VIETNAMESE], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip().endswith("OK"), run.stderr[-3000:]
