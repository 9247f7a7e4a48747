"""The Procfile and the example systemd units name commands that exist and that systemd accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.core.management.base import BaseCommand
from honcho.environ import parse_procfile

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"
WORKER_APPS = {"send_reminders": "thidua.monitoring", "flush_views": "thidua.portal"}


def procfile() -> dict[str, str]:
    return parse_procfile((ROOT / "Procfile").read_text(encoding="utf-8")).processes


def test_every_procfile_worker_is_a_looping_command_named_as_its_heartbeat():
    processes = procfile()
    assert {"web", "web-prod"} <= processes.keys()
    workers = {name: cmd for name, cmd in processes.items() if not name.startswith("web")}
    assert workers.keys() == WORKER_APPS.keys()
    for name, cmd in workers.items():
        assert cmd == f"exec .venv/bin/python manage.py {name} --loop"
        command = load_command_class(WORKER_APPS[name], name)
        assert isinstance(command, BaseCommand)
        assert command.create_parser("manage.py", name).parse_args(["--loop"]).loop is True


def test_the_makefile_starts_procfile_processes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    workers = re.search(r"^WORKERS := (.*)$", makefile, re.MULTILINE)
    assert workers is not None
    named = set(re.findall(r"[a-z_]+", workers.group(1).replace("$(if $(THIDUA_VIEW_BUFFER_URL),", " ")))
    assert named == set(WORKER_APPS)
    assert "$(SUPERVISE) web $(WORKERS)" in makefile and "$(SUPERVISE) web-prod $(WORKERS)" in makefile


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd): the units were not verified")
    # The units as an operator would install them, pointed at this checkout's virtualenv.
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/srv/thidua", str(ROOT))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    template = (tmp_path / "thidua-worker@.service").read_text(encoding="utf-8")
    instances = [f"thidua-worker@{name}.service" for name in WORKER_APPS]
    for instance in instances:
        (tmp_path / instance).write_text(template, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own unit files, a fixed tool
        [analyze, "verify", *(str(tmp_path / n) for n in ("thidua-web.service", "thidua.target", *instances))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and bad values are only warnings: any line about our units is a mistake.
    assert "thidua" not in output, output
