"""Agency portal pages for one client's bots: versions, approval, packs, diff, sandbox, tests.

Staff draft and submit; only platform admins approve, reject or override (BOT-4, BEY-5).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenants.bots.config import BotConfig
from tenants.bots.diff import config_diff
from tenants.bots.forms import DraftEditForm, PackApplyForm, ReviewDecisionForm, SandboxForm, TestCaseForm
from tenants.bots.models import Bot, BotConfigVersion, BotStatus, BotTestCase
from tenants.bots.sandbox import sandbox_reply
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_reject,
    bot_config_restore,
    bot_config_submit,
    bot_latest_config,
    bot_pack_apply,
    bot_set_status,
    bot_test_case_delete,
    bot_test_case_save,
    version_failing_tests,
)
from tenants.bots.triggers import (
    TriggersForm,
    format_intents,
    format_quick_replies,
    format_triggers,
    pack_rules,
)
from tenants.portal_access import client_portal_view, get_or_404

SANDBOX_SESSION_KEY = "bot_sandbox"


def _bot(bot_id: int) -> Bot:
    return get_or_404(Bot.objects.select_related("published_version"), pk=bot_id)


def _version(bot: Bot, number: int) -> BotConfigVersion:
    return get_or_404(bot.versions.all(), number=number)


def _ctx(client: Any, bot: Bot | None = None, **extra: Any) -> dict[str, Any]:
    return {"client": client, "bot": bot, **extra}


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@require_GET
@client_portal_view()
def bot_list(request: HttpRequest, client: Any) -> HttpResponse:
    bots = Bot.objects.select_related("published_version").all()
    return render(request, "portal/bots/list.html", _ctx(client, bots=bots))


@require_POST
@client_portal_view(admin=True)
def bot_status_change(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    """CX-5/CX-6: an admin pauses a bot (visitors get its paused message, no model call) or resumes it."""
    bot = _bot(bot_id)
    action = request.POST.get("action")
    if action not in ("pause", "resume"):
        messages.error(request, "Choose pause or resume.")
        return redirect("bots:list", slug=client.slug)
    bot_set_status(bot=bot, status=BotStatus.PAUSED if action == "pause" else BotStatus.ACTIVE, actor=request.user,
                   reason="Paused by an agency admin" if action == "pause" else "Resumed by an agency admin",
                   request=request)
    messages.success(request, f"{bot.name} is {'paused' if action == 'pause' else 'answering again'}.")
    return redirect("bots:list", slug=client.slug)


@require_GET
@client_portal_view()
def bot_detail(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    versions = list(bot.versions.all())
    return render(request, "portal/bots/detail.html", _ctx(
        client, bot, versions=versions, test_cases=bot.test_cases.all(),
        pending=[v for v in versions if v.status in ("draft", "submitted")]))


@require_http_methods(["GET", "POST"])
@client_portal_view()
def pack_apply(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import available_modes, load_pack, pack_placeholders

    bot = _bot(bot_id)
    packs = [(key, key.replace("_", " ").capitalize()) for key in available_modes()]
    chosen = request.POST.get("pack") or request.GET.get("pack") or client.industry_mode or packs[0][0]
    if chosen not in dict(packs):
        chosen = packs[0][0]
    current = bot_latest_config(bot)
    form = PackApplyForm(request.POST if request.method == "POST" else None, packs=packs,
                         placeholders=list(pack_placeholders(load_pack(chosen))), current=current,
                         initial={"pack": chosen})
    if request.method == "POST" and form.is_valid():
        version = bot_pack_apply(bot=bot, pack_key=form.cleaned_data["pack"],
                                 business_name=form.cleaned_data["business_name"], details=form.details(),
                                 actor=request.user, request=request)
        messages.success(request, f"Draft version {version.number} created from the pack. Review it, then submit.")
        return redirect("bots:version", slug=client.slug, bot_id=bot.pk, number=version.number)
    return render(request, "portal/bots/pack_apply.html", _ctx(client, bot, form=form, chosen=chosen),
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@client_portal_view()
def draft_edit(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    base_number = request.GET.get("from") or request.POST.get("from")
    base_version = bot.versions.filter(number=base_number).first() if base_number else bot.versions.first()
    base = BotConfig.model_validate(base_version.config) if base_version else bot_latest_config(bot)
    form = DraftEditForm(request.POST or None, initial=DraftEditForm.initial_from(base))
    if request.method == "POST" and form.is_valid():
        config = form.to_config(base)
        if config is not None:
            version = bot_config_draft_create(bot=bot, config=config, actor=request.user, request=request,
                                              note=form.cleaned_data["note"] or "Edited in the portal")
            messages.success(request, f"Draft version {version.number} saved.")
            return redirect("bots:version", slug=client.slug, bot_id=bot.pk, number=version.number)
    return render(request, "portal/bots/edit.html", _ctx(client, bot, form=form, base_version=base_version),
                  status=400 if request.method == "POST" else 200)


@require_GET
@client_portal_view()
def version_detail(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    bot = _bot(bot_id)
    version = _version(bot, number)
    published = bot.published_version
    changes = config_diff(published.config, version.config) if published and published.pk != version.pk else []
    return render(request, "portal/bots/version.html", _ctx(
        client, bot, version=version, changes=changes, published=published, decision_form=ReviewDecisionForm(),
        failing=version_failing_tests(version), config=BotConfig.model_validate(version.config)))


@require_POST
@client_portal_view()
def version_submit(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    version = _version(_bot(bot_id), number)
    try:
        bot_config_submit(version=version, actor=request.user, request=request)
    except ValidationError as error:
        _error(request, error)
    else:
        failing = version_failing_tests(version)
        if failing:
            messages.warning(request, f"Submitted, but {len(failing)} saved test(s) fail: approval is blocked "
                                      "unless an admin overrides it.")
        else:
            messages.success(request, f"Version {number} submitted for approval; {len(version.test_results)} "
                                      "saved test(s) pass.")
    return redirect("bots:version", slug=client.slug, bot_id=bot_id, number=number)


@require_POST
@client_portal_view(admin=True)
def version_approve(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    version = _version(_bot(bot_id), number)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()
    try:
        bot_config_approve(version=version, actor=request.user, comment=form.cleaned_data.get("comment", ""),
                           override_reason=form.cleaned_data.get("override_reason", ""), request=request)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, f"Version {number} approved and live.")
    return redirect("bots:version", slug=client.slug, bot_id=bot_id, number=number)


@require_POST
@client_portal_view(admin=True)
def version_reject(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    version = _version(_bot(bot_id), number)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()
    try:
        bot_config_reject(version=version, actor=request.user, comment=form.cleaned_data.get("comment", ""),
                          request=request)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, f"Version {number} rejected.")
    return redirect("bots:version", slug=client.slug, bot_id=bot_id, number=number)


@require_POST
@client_portal_view()
def version_restore(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    version = _version(_bot(bot_id), number)
    draft = bot_config_restore(version=version, actor=request.user, request=request)
    messages.success(request, f"Version {number} restored as draft version {draft.number}.")
    return redirect("bots:version", slug=client.slug, bot_id=bot_id, number=draft.number)


@require_GET
@client_portal_view()
def version_diff(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    numbers = list(bot.versions.values_list("number", flat=True))
    try:
        a = int(request.GET.get("a") or (numbers[1] if len(numbers) > 1 else numbers[0]))
        b = int(request.GET.get("b") or numbers[0])
    except (ValueError, IndexError):
        a = b = 0
    left, right = _version(bot, a), _version(bot, b)
    return render(request, "portal/bots/diff.html", _ctx(client, bot, left=left, right=right, numbers=numbers,
                                                         changes=config_diff(left.config, right.config)))


@require_http_methods(["GET", "POST"])
@client_portal_view()
def version_sandbox(request: HttpRequest, client: Any, bot_id: int, number: int) -> HttpResponse:
    """AX-1: chat with any version through the live graph; the transcript lives in the session only."""
    bot = _bot(bot_id)
    version = _version(bot, number)
    key = f"{SANDBOX_SESSION_KEY}:{client.slug}:{bot.pk}:{version.number}"
    transcript: list[dict[str, Any]] = request.session.get(key, [])
    form = SandboxForm(request.POST or None)
    if request.method == "POST" and request.POST.get("reset"):
        transcript = []
    elif request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        result = sandbox_reply(bot=bot, config=BotConfig.model_validate(version.config), message=message,
                               history=transcript)
        transcript = [*transcript, {"role": "visitor", "text": message},
                      {"role": "bot", "text": result.reply, "answered_by": result.answered_by,
                       "is_fallback": result.is_fallback, "is_crisis": result.is_crisis,
                       "lead_type": result.detection.classification.lead_type}][-40:]
        form = SandboxForm()
    request.session[key] = transcript
    template = "portal/bots/_sandbox_transcript.html" if request.htmx else "portal/bots/sandbox.html"
    return render(request, template, _ctx(client, bot, version=version, transcript=transcript, form=form))


@require_http_methods(["GET", "POST"])
@client_portal_view()
def test_cases(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    form = TestCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bot_test_case_save(bot=bot, name=form.cleaned_data["name"], question=form.cleaned_data["question"],
                               expect_not_fallback=form.cleaned_data["expect_not_fallback"],
                               expect_contains=form.cleaned_data["expect_contains"],
                               expect_crisis=form.crisis_expectation(), actor=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Test conversation saved. It runs on every submit.")
            return redirect("bots:tests", slug=client.slug, bot_id=bot.pk)
    return render(request, "portal/bots/tests.html", _ctx(client, bot, form=form, cases=bot.test_cases.all()),
                  status=400 if request.method == "POST" else 200)


@require_POST
@client_portal_view()
def test_case_delete(request: HttpRequest, client: Any, bot_id: int, case_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    case = get_or_404(BotTestCase.objects.filter(bot=bot), pk=case_id)
    bot_test_case_delete(case=case, actor=request.user, request=request)
    messages.success(request, "Test conversation deleted.")
    return redirect("bots:tests", slug=client.slug, bot_id=bot.pk)


@require_http_methods(["GET", "POST"])
@client_portal_view()
def triggers_edit(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    """BOT-3: intents, trigger keywords, quick replies, escalation and crisis keywords in one place.
    Saving makes a draft version; `?from=pack` starts from the industry pack's defaults."""
    bot = _bot(bot_id)
    base = bot_latest_config(bot)
    details = {"business_name": base.business.name, "business_phone": base.business.phone,
               "business_email": base.business.email, "booking_url": base.booking_url, **base.links}
    defaults = pack_rules(base.industry_mode or getattr(client, "industry_mode", ""), details)
    start = defaults if request.GET.get("from") == "pack" and defaults is not None else base
    form = TriggersForm(request.POST or None, initial=TriggersForm.initial_from(start),
                        industry_mode=base.industry_mode)
    if request.method == "POST" and form.is_valid():
        config = form.to_config(base)
        if config is not None:
            version = bot_config_draft_create(bot=bot, config=config, actor=request.user, request=request,
                                              note=form.cleaned_data["note"] or "Triggers and keywords edited",
                                              action="bot.rules_drafted")
            messages.success(request, f"Draft version {version.number} saved: submit it for approval; the live "
                                      "bot keeps its current rules until an admin approves it.")
            return redirect("bots:version", slug=client.slug, bot_id=bot.pk, number=version.number)
    return render(request, "portal/bots/triggers.html", _ctx(
        client, bot, form=form, defaults=defaults and {
            "intents": format_intents(defaults), "triggers": format_triggers(defaults),
            "quick_replies": format_quick_replies(defaults), "crisis_keywords": ", ".join(defaults.crisis.keywords)},
        from_pack=start is defaults, actions=_trigger_actions()),
        status=400 if request.method == "POST" else 200)


def _trigger_actions() -> list[tuple[str, str]]:
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes.registry import TRIGGER_ACTIONS

    # The registry's notes cite the spec's feature codes; people read the plain words only.
    return sorted((name, re.sub(r"\s*\([A-Z]+-\d+\)", "", text)) for name, text in TRIGGER_ACTIONS.descriptions.items())
