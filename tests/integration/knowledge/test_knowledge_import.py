"""manage.py knowledge_import: atomic, line-numbered refusals, draft vs --publish, audited as the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from controlplane.audit.models import AuditLog
from tenants.bots.models import BotConfigVersion
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.knowledge.models import Faq, KnowledgeSource

GOOD = """\
business:
  name: Fade Lab Barbers
  industry: barbershop
  phone: (555) 422-9031
  email: book@fadelab.example
  address: 77 Congress St, Portland, ME
  hours:
    mon: closed
    tue: "10:00-19:00"
    wed: "10:00-19:00"
    thu: "10:00-19:00"
    fri: "10:00-19:00"
    sat: "09:00-17:00"
    sun: closed
  booking_url: https://fadelab.example/book
services:
  - name: Skin Fade
    price: 35
    duration: 45
    description: Fade down to the skin with a sharp lineup.
  - {name: Beard Trim, price: 15}
faqs:
  - question: Do you validate parking?
    answer: We don't validate, but the Oak St lot behind the shop is free for two hours.
articles:
  - title: Gift cards
    body: Gift cards are sold at the front desk in any amount and never expire.
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _state(client: Any) -> tuple[int, int, int]:
    with schema_context(client.schema_name):
        return BotConfigVersion.objects.count(), Faq.objects.count(), KnowledgeSource.objects.count()


@pytest.mark.django_db
def test_publish_loads_facts_faqs_and_articles_and_the_bot_answers_them(client_alpha: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("knowledge_import", "--client", "alpha", str(_write(tmp_path, GOOD)), "--publish", stdout=out)
    assert "approved and published" in out.getvalue()
    with schema_context(client_alpha.schema_name):
        config = bot_published_config(bot_primary())  # type: ignore[arg-type]
        assert config.business.phone == "(555) 422-9031"
        assert config.industry_mode == "barbershop"
        assert {(h.weekday, h.opens, h.closes) for h in config.business.hours} >= {(5, "09:00", "17:00")}
        assert [s.name for s in config.business.services] == ["Skin Fade", "Beard Trim"]
        assert Faq.objects.get(question="Do you validate parking?").approved
        assert KnowledgeSource.objects.filter(title="Gift cards", kind="article").exists()
    actions = set(AuditLog.objects.filter(actor_email="cli:knowledge_import").values_list("action", flat=True))
    assert {"knowledge.imported", "bot.config_approved", "knowledge.faq_created"} <= actions
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    questions = ["sat hours?", "how much is a skin fade?", "do you validate parking?", "do you sell gift cards?"]
    source.write_text("".join(json.dumps({"conversation": "q", "text": q}) + "\n" for q in questions))
    call_command("bot_chat", "--client", "alpha", "--input", str(source), "--output", str(target), stdout=io.StringIO())
    replies = [json.loads(line) for line in target.read_text().splitlines()]
    assert "9am–5pm" in replies[0]["reply"]
    assert "$35" in replies[1]["reply"]
    assert "45 minutes" in replies[1]["reply"]
    assert replies[2]["reply"].startswith("We don't validate")
    assert replies[2]["answered_by"] == "approved_faq"
    assert "never expire" in replies[3]["reply"]
    assert not replies[3]["fallback"]


@pytest.mark.django_db
def test_without_publish_it_is_a_draft(client_alpha: Any, tmp_path: Path) -> None:
    before = _state(client_alpha)
    call_command("knowledge_import", "--client", "alpha", str(_write(tmp_path, GOOD)), stdout=io.StringIO())
    with schema_context(client_alpha.schema_name):
        newest = BotConfigVersion.objects.order_by("-number").first()
        assert newest is not None
        assert newest.status == "draft"
        assert not Faq.objects.get(question="Do you validate parking?").approved
        assert bot_published_config(bot_primary()).business.phone != "(555) 422-9031"  # type: ignore[arg-type]
    assert _state(client_alpha)[0] == before[0] + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broken", "line", "says"),
    [
        (GOOD.replace('tue: "10:00-19:00"', 'tue: "10am-7pm"'), 9, "not HH:MM-HH:MM"),
        (GOOD.replace("  booking_url:", "  parking: yes\n  booking_url:"), 15, "unknown key 'parking'"),
        (GOOD.replace("    price: 35\n", "    price: thirty\n"), 18, "price 'thirty'"),
        (GOOD.replace("  email: book@fadelab.example", "  email: book-at-fadelab"), 5, "not an email address"),
        (GOOD.replace("articles:", "extras:"), 25, "unknown key 'extras'"),
        (GOOD.replace("    answer: We don't", "    reply: We don't"), 24, "unknown key 'reply'"),
    ],
)
def test_bad_files_are_refused_naming_the_line_and_nothing_is_imported(
    client_alpha: Any, tmp_path: Path, broken: str, line: int, says: str
) -> None:
    before = _state(client_alpha)
    with pytest.raises(CommandError) as refused:
        call_command("knowledge_import", "--client", "alpha", str(_write(tmp_path, broken)), "--publish",
                     stdout=io.StringIO())
    assert f"line {line}:" in str(refused.value)
    assert says in str(refused.value)
    assert _state(client_alpha) == before


@pytest.mark.django_db
def test_publishing_without_hours_or_contact_is_refused_with_what_is_missing(client_alpha: Any, tmp_path: Path) -> None:
    with schema_context(client_alpha.schema_name):
        from tenants.bots.config import BotConfig, BusinessInfo
        from tenants.bots.services import bot_config_draft_create, bot_config_submit

        bot = bot_primary()
        assert bot is not None
        bare = BotConfig(business=BusinessInfo(name="Alpha"))
        bot_config_draft_create(bot=bot, config=bare)  # the next import starts from this empty draft
    before = _state(client_alpha)
    text = "business:\n  name: Alpha\nfaqs:\n  - question: Is there a dress code\n    answer: No.\n"
    with pytest.raises(CommandError) as refused:
        call_command("knowledge_import", "--client", "alpha", str(_write(tmp_path, text)), "--publish",
                     stdout=io.StringIO())
    assert "opening hours" in str(refused.value)
    assert "phone number or email" in str(refused.value)
    assert _state(client_alpha) == before
    # The portal's approval refuses the same way.
    from django.core.exceptions import ValidationError

    from controlplane.accounts.models import User

    with schema_context(client_alpha.schema_name):
        version = bot_config_draft_create(bot=bot, config=bare)
        bot_config_submit(version=version, run_regression=False)
        from tenants.bots.services import bot_config_approve

        admin = User.objects.filter(role="platform_admin").first()
        with pytest.raises(ValidationError, match="add opening hours and a phone number or email"):
            bot_config_approve(version=version, actor=admin)


def test_unknown_client(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="No client with the slug 'nope'"):
        call_command("knowledge_import", "--client", "nope", str(_write(tmp_path, GOOD)), stdout=io.StringIO())
