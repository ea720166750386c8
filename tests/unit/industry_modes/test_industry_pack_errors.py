"""A broken pack fails at load time with one line per problem: file, field path, bad value."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from industry_modes import PackError, load_pack, load_pack_file
from industry_modes import loader as pack_loader
from industry_modes.loader import PACKS_DIR

LEAD_TYPES_KNOWN = "service_request, appointment, pricing, hours_location, complaint, general_question, other"


def shipped(key: str) -> dict[str, Any]:
    data = yaml.safe_load((PACKS_DIR / f"{key}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_pack(tmp_path: Path, data: dict[str, Any], name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load_error(path: Path) -> PackError:
    with pytest.raises(PackError) as raised:
        load_pack_file(path)
    return raised.value


def broken(key: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(shipped(key))
    change(data)
    return data


def test_unknown_top_level_field(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d.update(colour="blue")))

    assert str(load_error(path)) == f"{path}: colour: unknown field 'colour'"


def test_unknown_nested_field(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d["persona"].update(moood="sunny")))

    assert str(load_error(path)) == f"{path}: persona.moood: unknown field 'moood'"


def test_wrong_lead_type(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d["intents"][2].update(lead_type="booking")))

    error = load_error(path)

    assert (
        str(error) == f"{path}: intents.2.lead_type: unknown lead type 'booking' (known: {LEAD_TYPES_KNOWN})"
    )
    assert [problem.where for problem in error.problems] == ["intents.2.lead_type"]


def test_unknown_trigger_action(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("barbershop", lambda d: d["triggers"][0].update(action="show_bookng_link"))
    )

    message = str(load_error(path))

    assert message.startswith(
        f"{path}: triggers.0.action: unknown trigger action 'show_bookng_link' (known: "
    )
    assert "show_booking_link" in message


def test_unknown_lead_field(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d["lead_capture"]["fields"].append("shoe_size")))

    assert str(load_error(path)).startswith(
        f"{path}: lead_capture.fields.5: unknown lead field 'shoe_size' (known: "
    )


def test_trigger_action_from_another_industry(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("gym", lambda d: d["triggers"][0].update(action="start_quote_builder"))
    )

    assert str(load_error(path)) == (
        f"{path}: triggers.0.action: trigger action 'start_quote_builder' only works in auto_service packs"
    )


def test_restaurant_section_in_a_gym_pack(tmp_path: Path) -> None:
    restaurant_section = shipped("restaurant")["industry"]
    path = write_pack(tmp_path, broken("gym", lambda d: d.update(industry=restaurant_section)))

    assert str(load_error(path)) == (
        f"{path}: industry: pack key is 'gym' but this is a 'restaurant' section; "
        "a gym section needs: class_schedule, memberships, class_booking_link"
    )


def test_section_kind_that_contradicts_the_key(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d["industry"].update(kind="restaurant")))

    assert (
        str(load_error(path))
        == f"{path}: industry.kind: section kind 'restaurant' does not match pack key 'gym'"
    )


def test_field_error_inside_the_section_has_no_discriminator_in_its_path(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("gym", lambda d: d["industry"]["class_schedule"][0].update(weekday="funday"))
    )

    assert str(load_error(path)) == (
        f"{path}: industry.class_schedule.0.weekday: Input should be 'monday', 'tuesday', 'wednesday', "
        "'thursday', 'friday', 'saturday' or 'sunday' (got 'funday')"
    )


def test_unquoted_yaml_time_is_caught(tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 18:30 as 1110 (base 60).
    path = write_pack(tmp_path, broken("gym", lambda d: d["industry"]["class_schedule"][1].update(time=1110)))

    assert str(load_error(path)) == (
        f'{path}: industry.class_schedule.1.time: time read as the number 1110; quote it in YAML, e.g. "18:30"'
    )


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text("version: 1\nkey: gym\npersona:\n  name: Jordan\n   tone: oops\n", encoding="utf-8")

    assert (
        str(load_error(path))
        == f"{path}: line 5, column 8: invalid YAML: mapping values are not allowed here"
    )


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "duplicate.yaml"
    path.write_text("version: 1\nkey: gym\nkey: restaurant\n", encoding="utf-8")

    assert str(load_error(path)) == (
        f"{path}: line 3, column 1: invalid YAML: duplicate key 'key' (first at line 2) (while reading a mapping)"
    )


def test_missing_version(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("realtor", lambda d: d.pop("version")))

    assert str(load_error(path)) == f"{path}: version: required field is missing"


def test_unsupported_version(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("realtor", lambda d: d.update(version=2)))

    assert (
        str(load_error(path)) == f"{path}: version: unsupported schema version 2; this code reads version 1"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def two_mistakes(data: dict[str, Any]) -> None:
        data.pop("version")
        data["intents"][0]["lead_type"] = "bookings"

    error = load_error(write_pack(tmp_path, broken("gym", two_mistakes)))

    assert [problem.where for problem in error.problems] == ["version", "intents.0.lead_type"]
    assert len(str(error).splitlines()) == 2


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")

    assert (
        str(load_error(path))
        == f"{path}: a pack must be a YAML mapping at the top level, found an empty file"
    )


def test_avoided_phrase_in_sober_living_text(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        broken("sober_living", lambda d: d["faqs"][0].update(answer="We help every addict find a home.")),
    )

    assert (
        str(load_error(path))
        == f"{path}: faqs.0.answer: says 'addict'; safe wording: say 'person in recovery'"
    )


def test_avoided_phrase_is_allowed_in_visitor_language(tmp_path: Path) -> None:
    # The bot must recognise the words visitors use, even the ones it will not say itself.
    path = write_pack(
        tmp_path, broken("sober_living", lambda d: d["intents"][0]["keywords"].append("addict"))
    )

    assert load_pack_file(path).intents[0].keywords[-1] == "addict"


def test_sober_living_must_list_samhsa(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("sober_living", lambda d: d["crisis"]["resources"].pop(1)))

    assert str(load_error(path)) == (
        f"{path}: crisis.resources: sober_living resources must include SAMHSA National Helpline (1-800-662-4357)"
    )


def test_sober_living_crisis_detection_cannot_be_off(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("sober_living", lambda d: d["crisis"].update(enabled=False)))

    assert (
        str(load_error(path)) == f"{path}: crisis.enabled: crisis detection must be enabled for sober_living"
    )


def test_unknown_placeholder(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("gym", lambda d: d["persona"].update(greeting="Hi from {busines_name}!"))
    )

    assert str(load_error(path)).startswith(
        f"{path}: persona.greeting: unknown placeholder {{busines_name}} (known: "
    )


def test_link_must_be_https_or_a_url_placeholder(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("barbershop", lambda d: d["industry"].update(booking_link="www.cuts.example"))
    )

    assert str(load_error(path)) == (
        f"{path}: industry.booking_link: 'www.cuts.example' is not an https:// URL or a {{..._url}} placeholder"
    )


def test_dragon_mode_cannot_ship_enabled(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("restaurant", lambda d: d["dragon_mode"].update(enabled=True)))

    assert str(load_error(path)) == (
        f"{path}: dragon_mode.enabled: Dragon Mode is admin opt-in per client (PRM-5); a pack must ship it disabled"
    )


def test_quote_price_range_must_not_be_inverted(tmp_path: Path) -> None:
    def invert(data: dict[str, Any]) -> None:
        data["industry"]["quote_builder"]["price_table"]["brake_pads"]["low"] = 500

    path = write_pack(tmp_path, broken("auto_service", invert))

    assert str(load_error(path)) == (
        f"{path}: industry.quote_builder.price_table.brake_pads.low: low (500) must be below high (450)"
    )


def test_quote_price_for_a_repair_the_pack_does_not_list(tmp_path: Path) -> None:
    def add_price(data: dict[str, Any]) -> None:
        data["industry"]["quote_builder"]["price_table"]["engine_swap"] = {"low": 3000, "high": 6000}

    path = write_pack(tmp_path, broken("auto_service", add_price))

    assert str(load_error(path)) == (
        f"{path}: industry.quote_builder.price_table.engine_swap: "
        "price for unknown repair 'engine_swap' (not in common_repairs)"
    )


def test_flow_asking_for_a_field_the_lead_does_not_keep(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path, broken("realtor", lambda d: d["lead_capture"]["fields"].remove("financing_status"))
    )

    assert str(load_error(path)) == (
        f"{path}: industry.showing_request.steps.4.lead_field: "
        "lead field 'financing_status' is asked for but missing from lead_capture.fields"
    )


def test_duplicate_intent_name(tmp_path: Path) -> None:
    path = write_pack(tmp_path, broken("gym", lambda d: d["intents"][3].update(name=d["intents"][0]["name"])))

    assert str(load_error(path)) == f"{path}: intents.3.name: duplicate intent 'membership_pricing'"


@pytest.fixture
def packs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(pack_loader, "PACKS_DIR", tmp_path)
    pack_loader._load_shipped_pack.cache_clear()
    yield tmp_path
    pack_loader._load_shipped_pack.cache_clear()


def test_load_pack_refuses_a_file_whose_key_is_another_mode(packs_dir: Path) -> None:
    path = write_pack(packs_dir, shipped("restaurant"), name="gym.yaml")

    with pytest.raises(PackError) as raised:
        load_pack("gym")

    assert str(raised.value) == f"{path}: key: key 'restaurant' does not match the file name"
