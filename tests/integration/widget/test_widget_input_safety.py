"""SEC: control characters in widget input are a 422 JSON error naming the field, never a 500.

NUL in a message, page URL or booking URL used to reach PostgreSQL (which cannot store it) and
crash four routes with a 500. One validator on the base of every input body refuses them now.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from tests.integration.widget.support import NOTHING, VISITOR, WidgetSetup, row_counts

pytestmark = pytest.mark.django_db
PROBLEM = "Control characters (such as NUL) are not allowed in this field."


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/sessions", {"visitor_id": VISITOR, "page_url": "https://www.alpha.example/\x00menu"}, "page_url"),
        ("/messages", {"visitor_id": VISITOR, "text": "hello\x00there"}, "text"),
        ("/messages/stream", {"visitor_id": VISITOR, "text": "\x00"}, "text"),
        ("/events/booking-click", {"visitor_id": VISITOR, "url": "https://alpha.example/book\x00"}, "url"),
        ("/events/load", {"page_url": "https://www.alpha.example/\x1b[2J"}, "page_url"),
        ("/messages", {"visitor_id": VISITOR, "text": "bell \x07 and delete \x7f"}, "text"),
        ("/messages", {"visitor_id": VISITOR, "text": "lone surrogate \ud800"}, "text"),
        ("/handoff", {"visitor_id": "visitor_\x000123456789abcdef"}, "visitor_id"),
    ],
)
def test_control_characters_are_a_422_naming_the_field(alpha: WidgetSetup, path: str, payload: Any,
                                                       field: str) -> None:
    # json.dumps writes \u0000 escapes, exactly what a script sends.
    response = alpha.post(path, json.dumps(payload))
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["detail"] == [{"field": field, "problem": PROBLEM}]
    assert row_counts(alpha.client) == NOTHING


def test_tabs_and_line_breaks_in_a_message_are_fine(alpha: WidgetSetup) -> None:
    response = alpha.send("first line\nsecond line\r\n\tindented")
    assert response.status_code == 200, response.content
    with alpha.schema():
        from tenants.conversations.models import Message

        assert Message.objects.filter(text__contains="\tindented").exists()


def test_every_widget_input_body_has_the_control_character_guard() -> None:
    """A body added later (by any route) inherits the guard only if it derives from StrictIn."""
    from ninja import Schema

    from widget import schemas

    inputs = [obj for name, obj in vars(schemas).items()
              if inspect.isclass(obj) and issubclass(obj, Schema) and name.endswith("In")]
    assert inputs, "no input bodies found"
    assert [cls.__name__ for cls in inputs if not issubclass(cls, schemas.StrictIn)] == []
