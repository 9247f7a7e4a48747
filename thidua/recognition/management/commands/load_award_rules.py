"""Load the shipped award catalogue and rule sets (docs/RULES.md); safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from thidua.recognition.catalogue import load


class Command(BaseCommand):
    help = (
        "Create the shipped award kinds, awarding powers, base salary and rule sets where missing (never overwrites)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = load()
        self.stdout.write(
            "Award catalogue: {kinds} kinds, {powers} awarding powers, {salaries} base salaries, "
            "{rule_sets} rule sets, {rules} rules created.".format(**created)
        )
