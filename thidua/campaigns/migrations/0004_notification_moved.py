# Notification now lives in the notifications app (which took over its table).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_planattachment"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
