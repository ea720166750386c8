from controlplane.billing.models import Plan


def plan_list() -> list[Plan]:
    return list(Plan.objects.all())


def plan_get(*, key: str) -> Plan | None:
    return Plan.objects.filter(key=key).first()
