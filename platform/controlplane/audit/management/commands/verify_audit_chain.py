from django.core.management.base import BaseCommand, CommandError

from controlplane.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken row."

    def handle(self, *args: object, **options: object) -> None:
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at row {report.first_broken_id}: {report.reason} "
                f"({report.rows_checked} rows checked)."
            )
        self.stdout.write(f"Audit chain intact: {report.rows_checked} rows verified.")
