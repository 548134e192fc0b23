"""The sample nginx site (deploy/nginx/registry.conf) logs no query string and no referrer."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "registry.conf"
# Variables that carry the query string, or the whole address of the page before (the referrer).
QUERY_CARRIERS = ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_", "$http_referer",
                  "$is_args")


def directives(name: str) -> list[str]:
    text = re.sub(r"#.*", "", SITE.read_text())
    return [m.group(1).strip() for m in re.finditer(rf"\b{name}\s+([^;]*);", text)]


def test_every_server_logs_its_requests_in_the_format_without_query_strings():
    formats = {d.split()[0]: d for d in directives("log_format")}
    assert "registry_private" in formats
    assert not [v for v in QUERY_CARRIERS if v in formats["registry_private"]], formats["registry_private"]
    assert "$uri" in formats["registry_private"]
    logs = directives("access_log")
    servers = len(re.findall(r"^server\s*\{", SITE.read_text(), flags=re.MULTILINE))
    kept = [d for d in logs if d != "off"]
    # Each server block names its log, so nginx's default "combined" format (with $request) never applies.
    assert len(kept) == servers and all(d.split()[-1] == "registry_private" for d in kept), logs


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None, reason="nginx not installed")
def test_the_site_passes_nginx_own_check():
    result = subprocess.run(["sh", str(SITE.parent / "check.sh")], check=False, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
