"""Notification fixtures: the local Twilio / SendGrid / webhook fakes, with the SDK settings pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ops.fake_sendgrid import FakeSendGrid
from ops.fake_twilio import FakeTwilio
from ops.fake_webhook_receiver import FakeWebhookReceiver

FROM_NUMBER = "+15550100999"


@pytest.fixture
def fake_twilio(settings: Any) -> Iterator[FakeTwilio]:
    with FakeTwilio().running() as fake:
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = fake.account_sid, fake.auth_token
        settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE = FROM_NUMBER, fake.base_url
        yield fake


@pytest.fixture
def fake_sendgrid(settings: Any) -> Iterator[FakeSendGrid]:
    with FakeSendGrid().running() as fake:
        settings.SENDGRID_API_KEY, settings.SENDGRID_API_HOST = fake.api_key, fake.base_url
        yield fake


@pytest.fixture
def receiver(settings: Any) -> Iterator[FakeWebhookReceiver]:
    with FakeWebhookReceiver().running() as fake:
        settings.NOTIFICATIONS_WEBHOOK_ALLOWED_PRIVATE_HOSTS = [fake.base_url.removeprefix("http://")]
        yield fake
