from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rollups", "0002_clientreviewcount"),
    ]

    operations = [
        migrations.AddField(
            model_name="clientdailyrollup",
            name="widget_loads",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
