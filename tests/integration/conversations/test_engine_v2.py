"""Engine v2 through the real path (detection, graph, persistence): business facts answering, crisis
turns, whole-conversation leads, and the pack quick-reply walk for all six industry packs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from industry_modes import available_modes, load_pack
from tenants.bots.config import bot_config_from_pack
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.bots.services import bot_config_publish_initial, bot_create
from tenants.conversations.services import bot_chat_turn
from tenants.knowledge.services import knowledge_seed_from_pack

DETAILS = {
    "business_phone": "(555) 010-0101", "business_email": "hello@walk.example", "business_address": "1 Main St",
    "booking_url": "https://walk.example/book", "menu_url": "https://walk.example/menu",
    "ordering_url": "https://walk.example/order", "doordash_url": "https://walk.example/dd",
    "ubereats_url": "https://walk.example/ue", "grubhub_url": "https://walk.example/gh",
    "listings_url": "https://walk.example/listings", "agent_name": "Dana Reyes", "website_url": "https://walk.example",
    "business_hours": "mon-fri 09:00-18:00; sat 10:00-14:00; sun closed",
}


def _chat(client: Any, lines: list[dict[str, str]], tmp_path: Path) -> list[dict[str, Any]]:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    call_command("bot_chat", "--client", client.slug, "--input", str(source), "--output", str(target),
                 stdout=io.StringIO())
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
def test_bot_chat_answers_business_facts_and_keeps_crisis_out_of_sales(client_alpha: Any, tmp_path: Path) -> None:
    results = _chat(client_alpha, [
        {"conversation": "c1", "text": "what time do you open on saturday?"},
        {"conversation": "c1", "text": "and on monday?"},
        {"conversation": "c1", "text": "what's your phone number?"},
        {"conversation": "c2", "text": "there's a bottle of pills in front of me and I'm not sure I want to be here tomorrow"},
        {"conversation": "c3", "text": "I think I took too much, my heart is racing. 207-555-0199"},
        {"conversation": "c4", "text": "Can I book a table for 4 tomorrow at 5pm?"},
        {"conversation": "c4", "text": "Dana, 207-555-0199"},
        {"conversation": "c5", "text": "I'm dying to try your brunch"},
    ], tmp_path)
    assert set(results[0]) == {"reply", "answered_by", "fallback", "crisis_level", "lead_type", "lead_score", "contacts",
                               "lead_created", "handoff"}
    assert "11am" in results[0]["reply"]
    assert results[0]["fallback"] is False
    assert "closed" in results[1]["reply"]  # the follow-up is resolved against the conversation
    assert "(555) 010-0001" in results[2]["reply"]
    for crisis in results[3:5]:
        assert crisis["crisis_level"] == "crisis"
        assert "988" in crisis["reply"]
        assert crisis["lead_created"] is False
        assert crisis["lead_score"] == "cold"
        assert crisis["handoff"] is True
    assert results[6]["lead_created"] is True
    assert (results[6]["lead_type"], results[6]["lead_score"]) == ("appointment", "hot")
    assert {"label": "name", "text": "Dana"} in results[6]["contacts"]
    assert "207-555-0199" in results[6]["reply"]  # contact details are acknowledged
    assert results[7]["crisis_level"] == "none"
    with schema_context(client_alpha.schema_name):
        from tenants.conversations.models import Event

        alerts = list(Event.objects.filter(kind="crisis").values_list("data", flat=True))
    assert len(alerts) == 2
    assert all(a["alert"] and a["level"] == "crisis" for a in alerts)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", sorted(available_modes()))
def test_every_pack_quick_reply_gets_a_useful_answer_from_its_own_bot(client_alpha: Any, mode: str) -> None:
    pack = load_pack(mode)
    with schema_context(client_alpha.schema_name):
        bot = bot_create(name=f"{mode} walk")
        config = bot_config_from_pack(pack, business_name=f"Walk {mode}", details=DETAILS)
        bot_config_publish_initial(bot=bot, config=config)
        knowledge_seed_from_pack(bot_id=bot.pk, pack_key=mode, details={"business_name": f"Walk {mode}", **DETAILS})
        config = bot_published_config(bot)
        failures = []
        for index, reply in enumerate(config.quick_replies):
            record, _ = bot_chat_turn(bot=bot, config=config, client=client_alpha, conversation_key=f"{mode}-{index}",
                                      text=reply.message or reply.label, conversation_id=None)
            if record["fallback"] or record["answered_by"] == "fallback" or len(record["reply"]) < 20:
                failures.append((reply.label, record["reply"]))
        for question in ("what are your hours on saturday?", "what's your phone number?", "where are you located?"):
            record, _ = bot_chat_turn(bot=bot, config=config, client=client_alpha, conversation_key=f"{mode}-facts",
                                      text=question, conversation_id=None)
            if record["answered_by"] != "facts":
                failures.append((question, record["reply"]))
    assert failures == []


@pytest.mark.django_db
def test_primary_bot_prices_come_from_services(client_bravo: Any, tmp_path: Path) -> None:
    results = _chat(client_bravo, [{"conversation": "p", "text": "how much is the unlimited membership?"},
                                   {"conversation": "p", "text": "Memberships"}], tmp_path)
    assert "$59.99" in results[0]["reply"]
    assert results[0]["answered_by"] == "facts"
    assert "Basic" in results[1]["reply"]
    assert results[1]["answered_by"] == "action"
    with schema_context(client_bravo.schema_name):
        assert bot_primary() is not None
