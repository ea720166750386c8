# ReviewItem moves to the review app (docs/decisions/0014-review-in-one-app.md). State only: the table
# conversations_reviewitem stays where it is and keeps its rows; tenants.review's 0001 takes it over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReviewItem')],
            database_operations=[],
        ),
    ]
