from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants.bots.selectors import bot_primary
from tenants.dashboard.access import client_member_required


@require_GET
@client_member_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", {"client": request.tenant, "bot": bot_primary()})
