"""Authorization for every issue-5 route × {anonymous, client user, staff, admin}; cross-tenant ids;
and CX-2/CX-7: nothing on a client host can create or change bots, knowledge or configuration."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from controlplane.audit.models import AuditLog
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot, BotConfigVersion, BotTestCase
from tenants.bots.services import bot_config_draft_create, bot_config_submit, bot_create, bot_test_case_save
from tenants.conversations.models import Conversation, Visitor
from tenants.knowledge.documents import document_extract
from tenants.knowledge.drafts import article_save_by
from tenants.knowledge.models import (
    Chunk,
    Faq,
    KnowledgeDraft,
    KnowledgeRebuild,
    KnowledgeSource,
    WebsiteSource,
)
from tenants.knowledge.rebuild import knowledge_rebuild_request
from tenants.knowledge.services import article_upsert, document_ingest, faq_upsert
from tenants.knowledge.website import website_source_add
from tenants.review.models import ReviewItem
from tests.integration.bots.support import client_host_as_owner, in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db

NAMESPACES = ("bots", "knowledge", "review")
ADMIN_ONLY = {"bots:approve", "bots:reject", "bots:status", "knowledge:faq_approve", "knowledge:draft_approve"}
POST_ONLY = {"bots:submit", "bots:status", "bots:approve", "bots:reject", "bots:restore", "bots:test_delete", "knowledge:faq_approve",
             "knowledge:faq_delete", "knowledge:source_delete", "knowledge:document_upload", "knowledge:website_add",
             "knowledge:website_crawl", "knowledge:website_delete", "knowledge:rebuild_start",
             "knowledge:rebuild_cancel", "knowledge:draft_approve", "knowledge:draft_discard", "review:item_faq", "review:item_dismiss", "review:item_resolve"}
# Deleting routes go last, so the objects the other probes need still exist.
LAST = ("bots:test_delete", "knowledge:faq_delete", "knowledge:source_delete", "knowledge:website_delete",
        "knowledge:draft_discard")


# Cross-client triage bulk actions take no client in the URL: the URL matrix and review/test_triage.py own them.
CROSS_CLIENT = {"review:bulk"}


def issue_routes() -> list[tuple[str, tuple[str, ...]]]:
    found = []

    def walk(resolver, namespace="", params=()):
        for entry in resolver.url_patterns:
            converters = tuple(getattr(entry.pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                walk(entry, entry.namespace or namespace, params + converters)
            elif isinstance(entry, URLPattern) and namespace in NAMESPACES:
                if f"{namespace}:{entry.name}" in CROSS_CLIENT:
                    continue
                found.append((f"{namespace}:{entry.name}", params + converters))

    walk(get_resolver("config.urls_public"))
    return sorted(found, key=lambda r: (r[0] in LAST, r[0]))


def _seed(client, actor) -> dict[str, int]:
    """One of everything in `client`'s schema, returning the ids the routes take."""
    with in_client(client):
        bot = primary_bot()
        draft = bot_config_draft_create(bot=bot, config=BotConfig.model_validate(bot.published_version.config),
                                        actor=actor)
        submitted = bot_config_draft_create(bot=bot, config=BotConfig.model_validate(bot.published_version.config),
                                            actor=actor)
        bot_config_submit(version=submitted, actor=actor, run_regression=False)
        case = bot_test_case_save(bot=bot, name="t", question="hours?", expect_not_fallback=False,
                                  expect_contains="", expect_crisis=None, actor=actor)
        faq = faq_upsert(bot_id=bot.pk, question=f"Seed question {uuid.uuid4()}?", answer="Seed answer.",
                         approved=False, new=True)
        article = article_upsert(bot_id=bot.pk, title="Seed article", body="Some seeded article text here.").source
        document_ingest(bot_id=bot.pk, document=document_extract(file_name="seed.txt",
                                                                 data=b"Seeded document text, long enough."))
        site = website_source_add(bot_id=bot.pk, start_url=f"https://site.invalid/{uuid.uuid4()}")
        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk)
        pending = article_save_by(actor=actor, bot_id=bot.pk, title=f"Seed draft {uuid.uuid4()}",
                                body="A staff article waiting for approval.").draft
        other = article_save_by(actor=actor, bot_id=bot.pk, title=f"Seed draft {uuid.uuid4()}",
                                body="Another staff article waiting for approval.").draft
        visitor = Visitor.objects.create(visitor_key=str(uuid.uuid4()), first_seen_at="2026-01-01T00:00Z",
                                         last_seen_at="2026-01-01T00:00Z")
        conversation = Conversation.objects.create(visitor=visitor, bot_id=bot.pk, started_at="2026-01-01T00:00Z",
                                                   last_message_at="2026-01-01T00:00Z")
        item = ReviewItem.objects.create(kind="unknown_question", conversation=conversation, question="q?",
                                         created_at="2026-01-01T00:00Z")
        return {"bot_id": bot.pk, "number": draft.number, "submitted": submitted.number, "case_id": case.pk,
                "faq_id": faq.pk, "source_id": article.pk, "site_id": site.pk, "rebuild_id": rebuild.pk,
                "item_id": item.pk, "draft_id": pending.pk, "discard_draft_id": other.pk}


def _path(name: str, params: tuple[str, ...], ids: dict[str, int], slug: str = "alpha") -> str:
    kwargs: dict[str, object] = {"slug": slug} if "slug" in params else {}
    for p in params:
        if p != "slug":
            kwargs[p] = ids["submitted"] if p == "number" and name in ("bots:approve", "bots:reject") else ids[p]
            if p == "draft_id" and name == "knowledge:draft_discard":  # approve and discard: one draft each
                kwargs[p] = ids["discard_draft_id"]
    return reverse(name, kwargs=kwargs, urlconf="config.urls_public")


def _state(client) -> tuple:
    with in_client(client):
        return (list(BotConfigVersion.objects.order_by("id").values_list("id", "status")),
                list(Faq.objects.order_by("id").values_list("id", "approved", "answer")),
                KnowledgeSource.objects.count(), Chunk.objects.count(), BotTestCase.objects.count(),
                list(KnowledgeDraft.objects.order_by("id").values_list("id", "body")),
                WebsiteSource.objects.count(), list(KnowledgeRebuild.objects.values_list("id", "state")),
                list(ReviewItem.objects.order_by("id").values_list("id", "status")), Bot.objects.count())


def _data_audit_count() -> int:
    """Audit rows of data changes (sign-in events are audited too and do not count here)."""
    return AuditLog.objects.filter(action__regex=r"^(bot|knowledge|review)\.").count()


def test_every_issue_route_is_covered():
    names = {name for name, _ in issue_routes()}
    assert len(names) == 42, sorted(names)  # 15 bots + 21 knowledge + 6 review
    assert ADMIN_ONLY <= names
    assert POST_ONLY <= names


@pytest.mark.parametrize("role", ["anonymous", "client", "staff"])
def test_denied_roles_get_login_or_403_and_change_nothing(role, client_alpha, staff_user):
    ids = _seed(client_alpha, staff_user)
    before, audit_before = _state(client_alpha), _data_audit_count()
    failures = []
    for name, params in issue_routes():
        if role == "staff" and name not in ADMIN_ONLY:
            continue
        path = _path(name, params, ids)
        method = "post" if name in POST_ONLY else "get"
        response = getattr(portal_as(role), method)(path, {"comment": "x", "override_reason": "x", "question": "q",
                                                             "answer": "a"} if method == "post" else None)
        if role == "staff":
            ok = response.status_code == 403
        else:
            ok = response.status_code == 302 and response["Location"].startswith(f"/login/?next={quote(path)}")
        if not ok:
            failures.append(f"{method.upper()} {path} as {role}: {response.status_code} {response.get('Location')}")
    assert failures == []
    assert _state(client_alpha) == before
    assert _data_audit_count() == audit_before


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_allowed_roles_reach_every_route(role, client_alpha, staff_user):
    ids = _seed(client_alpha, staff_user)
    failures = []
    for name, params in issue_routes():
        if role == "staff" and name in ADMIN_ONLY:
            continue
        path = _path(name, params, ids)
        if name in POST_ONLY:
            response = portal_as(role).post(path)
            ok = response.status_code in (200, 302, 400) and "/login/" not in response.get("Location", "")
        else:
            response = portal_as(role).get(path)
            ok = response.status_code == 200
        if not ok:
            failures.append(f"{path} as {role}: {response.status_code} {response.get('Location')}")
    assert failures == []


def test_ids_of_another_client_under_this_clients_url_are_404(client_alpha, client_bravo, staff_user):
    alpha_ids = _seed(client_alpha, staff_user)
    with in_client(client_bravo):
        while Bot.objects.order_by("-id").first().pk <= alpha_ids["bot_id"] + 1:
            bot_create(name="extra bravo bot")
    bravo_ids = _seed(client_bravo, staff_user)
    # Make every bravo id one that alpha does not have.
    with in_client(client_alpha):
        taken = {"case_id": BotTestCase, "faq_id": Faq, "source_id": KnowledgeSource, "site_id": WebsiteSource,
                 "rebuild_id": KnowledgeRebuild, "item_id": ReviewItem,
                 "draft_id": KnowledgeDraft, "discard_draft_id": KnowledgeDraft}
        for key, model in taken.items():
            assert not model.objects.filter(pk=bravo_ids[key]).exists() or pytest.skip(f"id clash on {key}")
    bravo_before = _state(client_bravo)
    admin = portal_as("admin")
    failures = []
    for name, params in issue_routes():
        sub_ids = [p for p in params if p not in ("slug", "bot_id", "number")]
        if not sub_ids and "bot_id" not in params:
            continue
        mixed = dict(alpha_ids)
        for p in sub_ids:
            mixed[p] = bravo_ids[p]
            if p == "draft_id":
                mixed["discard_draft_id"] = bravo_ids["discard_draft_id"]
        if not sub_ids:
            mixed["bot_id"] = Bot.objects.none() or _bravo_only_bot(client_bravo, client_alpha)
        path = _path(name, params, mixed)
        response = admin.post(path, {"question": "q", "answer": "a", "comment": "c"}) if name in POST_ONLY \
            else admin.get(path)
        if response.status_code != 404:
            failures.append(f"{path}: {response.status_code}")
    assert failures == []
    assert _state(client_bravo) == bravo_before


def _bravo_only_bot(bravo, alpha) -> int:
    with in_client(alpha):
        alpha_ids = set(Bot.objects.values_list("id", flat=True))
    with in_client(bravo):
        return Bot.objects.exclude(id__in=alpha_ids).order_by("id").values_list("id", flat=True).first()


def test_portal_pages_do_not_exist_on_client_hosts(client_alpha, staff_user):
    ids = _seed(client_alpha, staff_user)
    owner = client_host_as_owner("alpha")
    for name, params in issue_routes():
        path = _path(name, params, ids)
        assert owner.get(path).status_code == 404, path
        assert owner.post(path).status_code == 404, path


def _sample(converter) -> str:
    if isinstance(converter, IntConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return str(uuid.uuid4())
    return "alpha"


def test_no_client_host_route_changes_bots_knowledge_or_configuration(client_alpha, staff_user):
    """CX-2/CX-7: POST every pattern of config.urls_tenant as the client's owner; nothing changes."""
    _seed(client_alpha, staff_user)
    before = _state(client_alpha)
    audit_before = set(AuditLog.objects.filter(action__startswith=("bot.")).values_list("id", flat=True))
    probed = []

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route)
            elif "<" not in route or getattr(entry.pattern, "converters", None):
                path = "/" + route
                for param, converter in getattr(entry.pattern, "converters", {}).items():
                    path = path.replace(f"<{type(converter).__name__.replace('Converter', '').lower()}:{param}>",
                                        _sample(converter)).replace(f"<{param}>", _sample(converter))
                probed.append(path.replace("^", "").replace("$", ""))

    walk(get_resolver("config.urls_tenant"))
    assert len(probed) >= 5
    for path in probed:
        owner = client_host_as_owner("alpha")
        for body in ({}, {"question": "q", "answer": "a", "config": "{}", "status": "approved"}):
            owner.post(path, body)
    assert _state(client_alpha) == before
    changed = AuditLog.objects.filter(action__startswith="bot.").exclude(id__in=audit_before)
    assert not changed.exists()
