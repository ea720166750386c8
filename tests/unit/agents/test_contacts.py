from __future__ import annotations

import pytest

from agents.detection import find_contacts


def spans(text: str) -> list[tuple[str, str, int, int, str]]:
    return [(s.label, s.text, s.start, s.end, s.normalised) for s in find_contacts(text)]


def test_name_phone_with_exact_offsets_and_e164() -> None:
    text = "Hi, my name is Dana Lopez and my number is (415) 555-0132"
    assert spans(text) == [
        ("name", "Dana Lopez", 15, 25, "Dana Lopez"),
        ("phone", "(415) 555-0132", 43, 57, "+14155550132"),
    ]
    for label, value, start, end, _ in spans(text):
        assert text[start:end] == value, label


def test_email_is_found_and_lower_cased_and_beats_a_name_overlap() -> None:
    assert spans("This is Marcus, email me at Marcus.J@gmail.com") == [
        ("name", "Marcus", 8, 14, "Marcus"),
        ("email", "Marcus.J@gmail.com", 28, 46, "marcus.j@gmail.com"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text me at 617 555 0188!", [("phone", "617 555 0188", 11, 23, "+16175550188")]),
        ("reach me 312.555.0147", [("phone", "312.555.0147", 9, 21, "+13125550147")]),
        ("UK mobile +44 20 7946 0958 please", [("phone", "+44 20 7946 0958", 10, 26, "+442079460958")]),
        ("my name is john smith can you call me tomorrow", [("name", "john smith", 11, 21, "john smith")]),
        ("Thanks, Ana Ruiz", [("name", "Ana Ruiz", 8, 16, "Ana Ruiz")]),
        ("Im Jake. need an oil change", [("name", "Jake", 3, 7, "Jake")]),
    ],
)
def test_contact_variants(text: str, expected: list[tuple[str, str, int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm looking for a room",
        "I am interested in the 3 bed",
        "a 2018 Honda Civic with 120000 miles",
        "listed at $450,000 in zip 94110, built 1998",
        "order #123456789 was late",
        "this is a question about parking",
    ],
)
def test_no_false_contacts(text: str) -> None:
    assert find_contacts(text) == []


def test_offsets_are_python_str_offsets_after_non_ascii_text() -> None:
    text = "Café owner here — my name is José, call 212-555-0110"
    found = find_contacts(text)
    assert [(s.label, text[s.start : s.end]) for s in found] == [("name", "José"), ("phone", "212-555-0110")]


@pytest.mark.parametrize(
    ("text", "name"),
    [("this is Dana", "Dana"), ("Dana Whitfield here", "Dana Whitfield"), ("Dana, 207-555-0199", "Dana"),
     ("hi, Dana here, can I book?", "Dana"), ("Café owner here, quick question", None), ("Tuesday, 5pm works", None)],
)
def test_names_in_ordinary_chat(text: str, name: str | None) -> None:
    names = [s.text for s in find_contacts(text) if s.label == "name"]
    assert names == ([name] if name else [])


def test_international_and_extension_phones_are_e164() -> None:
    found = [s.normalised for s in find_contacts("Call me at +44 20 7946 0958 ext. 123 or (207) 555-0199 x12")]
    assert found == ["+442079460958", "+12075550199"]
