from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thidua.accounts.models import User
from thidua.demo.accounts import create_demo_accounts
from thidua.demo.campaign import load_plan_07, load_registrations
from thidua.demo.generator import build
from thidua.demo.initiatives import load_initiatives
from thidua.demo.inspections import load_inspections
from thidua.demo.monitoring import close_old_periods, load_clusters, load_reports
from thidua.demo.recognition import load_recognition
from thidua.portal.demo import load_portal
from thidua.recognition.catalogue import load as load_award_rules
from thidua.units.models import Unit


class Command(BaseCommand):
    help = "Load the Bắc Kạn demo (tree, ~20,000 members, demo accounts) into an empty database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when units already exist.")
        parser.add_argument("--members", type=int, default=20_000)

    def handle(self, *args: Any, **options: Any) -> None:
        if Unit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Database already has data; demo not loaded.")
                return
            raise CommandError("The database already has units; load the demo into an empty database.")
        started = time.monotonic()
        with transaction.atomic():
            units, members = build("bac-kan", members=options["members"])
            create_demo_accounts()
            plan = load_plan_07()
            load_registrations(plan)
            officer = User.objects.get(username="tinh.thidua")
            load_clusters(plan, officer)
            reports = load_reports(plan)
            load_inspections(plan)
            load_initiatives(plan)
            load_award_rules()  # the award catalogue and rule sets (docs/recognition.md)
            load_recognition(plan)  # dossiers, the council's ballot, the decision, the honour roll
            close_old_periods(plan, officer)
            seed = load_portal(plan=plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {units} units, {members} members, plan {plan.document_number} "
                f"and its cascade, {reports} reports, portal with the seed article #{seed.pk} in {time.monotonic() - started:.1f}s"
            )
        )
