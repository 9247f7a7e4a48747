from django.db import migrations

from thidua.units.kinds import DEFAULT_KINDS


def add_kinds(apps, schema_editor):
    UnitKind = apps.get_model("units", "UnitKind")
    for code, name, name_en, level, grassroots in DEFAULT_KINDS:
        UnitKind.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "level": level, "is_grassroots": grassroots}
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
