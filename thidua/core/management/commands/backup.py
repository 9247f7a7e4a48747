"""Write one dated archive of the database and the media files, with its manifest (see thidua/core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.core import backup


class Command(BaseCommand):
    help = (
        "Write one dated archive, thidua-YYYYmmdd-HHMMSS.tar.gz, holding the database (SQLite's online "
        "backup API, or pg_dump -Fc on PostgreSQL), the media files and manifest.json: the latest migration "
        "of each app, row count and checksum of every table, checksum and size of every media file. Safe "
        "while the application runs. The archive is written under a temporary name and renamed when "
        "complete, readable by its owner only. Verify one with 'manage.py restore --check ARCHIVE'; "
        "restore with 'manage.py restore ARCHIVE' (see docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help=(
                "A directory to write the dated archive into, or a file name ending in .tar.gz "
                "(default: THIDUA_BACKUP_DIR, else var/backups under THIDUA_VAR_DIR)."
            ),
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the media files out (database only).")
        parser.add_argument("--database", default="default", help="The database alias to back up (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.create_backup(
                output=options["output"], include_media=not options["no_media"], alias=options["database"]
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        rows = sum(table["rows"] for table in manifest["tables"].values())
        size = result.path.stat().st_size
        self.stdout.write(
            f"Backup written to {result.path} ({size / 1024 / 1024:.1f} MiB): {manifest['engine']}, "
            f"{len(manifest['tables'])} tables, {rows} rows, {len(manifest['media'])} media files"
            + ("" if manifest["media_included"] else " (media left out)")
            + "."
        )
