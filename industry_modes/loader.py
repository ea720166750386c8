"""Read industry packs from YAML and turn every way they can be wrong into one precise error.

A ``PackError`` message has one line per problem, ``<file>: <dotted.field.path>: <what>``, or
``<file>: line N, column M: <what>`` for YAML syntax, so the person editing the pack can go
straight to the spot.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from pathlib import Path
from typing import Final, NamedTuple

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from industry_modes.registry import INDUSTRY_MODES
from industry_modes.schema import IndustryPack
from industry_modes.schema_types import PROBLEM_PATH_KEY

PACKS_DIR: Final = Path(__file__).resolve().parent / "packs"
# Shipped pack files are named relative to the project root in messages, as an editor shows them.
_PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
_MAX_SHOWN_VALUE: Final = 80


class PackProblem(NamedTuple):
    where: str  # dotted field path, or "line N, column M" for YAML syntax
    message: str


class PackError(Exception):
    """A pack file that cannot be used. ``problems`` lists each issue with its location."""

    def __init__(self, source: str, problems: list[PackProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [
            f"{source}: {p.where}: {p.message}" if p.where else f"{source}: {p.message}" for p in problems
        ]
        super().__init__("\n".join(lines))


class _StrictYamlLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys; PyYAML would silently keep the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, object]:
        seen: dict[object, yaml.Node] = {}
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def available_modes() -> tuple[str, ...]:
    """The six industry mode keys, in catalog order (IND-1..6)."""
    return INDUSTRY_MODES.names()


def load_pack_file(path: Path | str) -> IndustryPack:
    """Parse and validate one pack file; raise ``PackError`` naming every problem found."""
    path = Path(path)
    source = _display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(source, [PackProblem("", f"cannot read file: {error.strerror or error}")]) from error
    try:
        data: object = yaml.load(text, Loader=_StrictYamlLoader)  # noqa: S506 - subclass of SafeLoader
    except yaml.MarkedYAMLError as error:
        raise PackError(source, [_yaml_problem(error)]) from error
    except yaml.YAMLError as error:
        raise PackError(source, [PackProblem("", f"invalid YAML: {error}")]) from error
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise PackError(
            source, [PackProblem("", f"a pack must be a YAML mapping at the top level, found {found}")]
        )
    try:
        return IndustryPack.model_validate(data)
    except ValidationError as error:
        raise PackError(source, [_validation_problem(detail) for detail in error.errors()]) from error


def load_pack(key: str) -> IndustryPack:
    """The shipped pack for one industry mode (cached; packs are immutable)."""
    if key not in INDUSTRY_MODES:
        known = ", ".join(available_modes())
        raise PackError(f"{key}.yaml", [PackProblem("", f"unknown industry mode {key!r} (known: {known})")])
    return _load_shipped_pack(key)


def load_all() -> dict[str, IndustryPack]:
    """Every shipped pack by key. A new dict each call, so callers cannot edit the cache."""
    return {key: _load_shipped_pack(key) for key in available_modes()}


@functools.cache
def _load_shipped_pack(key: str) -> IndustryPack:
    path = PACKS_DIR / f"{key}.yaml"
    pack = load_pack_file(path)
    if pack.key != key:
        # The file name is how load_pack finds a pack; a copied file with a stale key would
        # otherwise serve one industry's content under another's name.
        raise PackError(
            _display_name(path), [PackProblem("key", f"key {pack.key!r} does not match the file name")]
        )
    return pack


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(_PROJECT_ROOT))
    except ValueError:
        return str(path)


def _yaml_problem(error: yaml.MarkedYAMLError) -> PackProblem:
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = error.problem or "unreadable YAML"
    if error.context:
        what += f" ({error.context})"
    return PackProblem(where, f"invalid YAML: {what}")


def _validation_problem(detail: ErrorDetails) -> PackProblem:
    parts = [str(part) for part in _without_union_tags(detail["loc"])]
    context = detail.get("ctx") or {}
    relative = context.get(PROBLEM_PATH_KEY)
    if relative:
        parts.append(str(relative))
    where = ".".join(parts) or "(top level)"
    return PackProblem(where, _problem_message(detail))


def _without_union_tags(loc: tuple[int | str, ...]) -> list[int | str]:
    # pydantic puts the discriminator value into the location ("industry.gym.class_schedule");
    # pack authors never write it, so it is dropped from the path they see.
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "industry" and parts[1] in INDUSTRY_MODES:
        del parts[1]
    return parts


def _problem_message(detail: ErrorDetails) -> str:
    error_type = detail["type"]
    if error_type == "missing":
        return "required field is missing"
    if error_type == "extra_forbidden":
        return f"unknown field {detail['loc'][-1]!r}"
    if _is_own_problem(detail):
        return detail["msg"]  # our own messages already quote the bad value
    return f"{detail['msg']} (got {_shown(detail['input'])})"


def _is_own_problem(detail: ErrorDetails) -> bool:
    # Errors raised through pack_problem carry no pydantic url; built-in errors always do.
    return "url" not in detail


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_VALUE else text[: _MAX_SHOWN_VALUE - 3] + "..."
