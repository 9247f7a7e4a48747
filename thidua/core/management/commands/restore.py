"""Restore a backup archive into an empty database and prove it identical, or only verify an archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from thidua.core import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by 'manage.py backup' into an EMPTY database, one with no tables at all "
        "(a new SQLite file, or a PostgreSQL database just made with createdb; do not run migrate first), "
        "and an empty MEDIA_ROOT; anything else is refused. Stop the application first. The archive is "
        "verified before anything is changed; after restoring, the manifest is recomputed from the restored "
        "database and media files and compared with the archive's: prints 'identical', or lists what differs "
        "and exits with status 1. With --check, only verify the archive (manifest, checksums of the "
        "database dump and of every media file) and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz archive written by manage.py backup.")
        parser.add_argument("--check", action="store_true", help="Only verify the archive; restore nothing.")
        parser.add_argument(
            "--database", default="default", help="The database alias to restore into (default: default)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = options["archive"]
        try:
            if options["check"]:
                self.check_only(archive)
                return
            result = backup.restore_backup(archive, alias=options["database"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {archive}, {self.describe(result.manifest)}.")
        if result.differences:
            raise CommandError("The restored system differs from the archive:\n" + "\n".join(result.differences))
        self.stdout.write("identical")
        executor = MigrationExecutor(connections[options["database"]])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                f"{len(pending)} migrations of this code are not applied to the restored database: "
                "run 'manage.py migrate' before starting the application."
            )

    def check_only(self, archive: Path) -> None:
        check = backup.check_archive(archive)
        if check.problems:
            raise CommandError(f"{archive} is damaged:\n" + "\n".join(check.problems))
        self.stdout.write(f"{archive} is intact: {self.describe(check.manifest)}.")

    def describe(self, manifest: dict[str, Any]) -> str:
        rows = sum(table["rows"] for table in manifest["tables"].values())
        return (
            f"backup of {manifest['created_at']} ({manifest['engine']}): {len(manifest['tables'])} tables, "
            f"{rows} rows, {len(manifest['media'])} media files"
        )
