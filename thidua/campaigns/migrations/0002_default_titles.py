from django.db import migrations

from thidua.campaigns.titles import DEFAULT_TITLES


def add_titles(apps, schema_editor):
    Title = apps.get_model("campaigns", "Title")
    for position, (name, kind, collective, individual, union) in enumerate(DEFAULT_TITLES, start=1):
        Title.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "for_collective": collective,
                "for_individual": individual,
                "is_union": union,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(add_titles, migrations.RunPython.noop)]
