"""Hot statements compiled by the ORM once per process (issue 17: a widget turn's).

Building a queryset and compiling it to SQL costs more CPU than Postgres spends running these
statements. Each one here is still written with the ORM or derived from the models' fields, so it
follows the models, but it is compiled once per process and then run with new parameter values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import AutoField, Model, QuerySet
from django.db.models.query import _get_from_db, get_related_populators  # type: ignore[attr-defined]


class PreparedSelect[T: Model]:
    """A model SELECT built by `build(**sentinels)` and compiled once; `first(**values)` runs it with
    each sentinel's parameter replaced by the value of the same name, and returns the first row as
    Django would (the model, its select_related objects and its annotations).

    The sentinels must be distinctive values of the parameters' types: each has to appear exactly
    once among the compiled statement's parameters (checked when compiling)."""

    def __init__(self, build: Callable[..., QuerySet[T]], **sentinels: Any) -> None:
        self._build = build
        self._sentinels = sentinels
        self._compiled: dict[str, tuple[Any, ...]] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple[Any, ...]:
        queryset = self._build(**self._sentinels)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: dict[str, int] = {}
        for name, sentinel in self._sentinels.items():
            found = [i for i, p in enumerate(params) if type(p) is type(sentinel) and p == sentinel]
            if len(found) != 1:
                raise ValueError(f"sentinel {name}={sentinel!r} appears {len(found)} times in the parameters")
            slots[name] = found[0]
        klass_info = compiler.klass_info
        fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]  # Django 6.1, not in the stubs yet
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [s[0].target.attname for s in compiler.select[start:end]]
        return (sql, tuple(params), slots, compiler, _get_from_db(klass_info["model"], fetch_mode), start, end,
                init_list, get_related_populators(klass_info, compiler.select, alias, fetch_mode),
                dict(compiler.annotation_col_map or {}))

    def compiled(self, alias: str = "default") -> tuple[Any, ...]:
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                found = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = found
        return found

    def first(self, *, using: str = "default", **values: Any) -> T | None:
        sql, template, slots, compiler, from_db, start, end, init_list, populators, annotations = self.compiled(using)
        params = list(template)
        for name, index in slots.items():
            params[index] = values[name]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchmany(1)
        if not rows:
            return None
        row = next(iter(compiler.results_iter(results=[rows])))
        obj: T = from_db(using, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        return obj


def quoted(name: str | None, *, using: str = "default") -> str:
    """A table or column name as SQL (model metadata only: never a value)."""
    assert name is not None
    return connections[using].ops.quote_name(name)


def insert_columns(model: type[Model]) -> list[Any]:
    """The fields an INSERT of `model` writes, as bulk_create chooses them (no auto or generated pk)."""
    return [f for f in model._meta.concrete_fields if not f.generated and not isinstance(f, AutoField)]


_INSERTS: dict[tuple[str, type[Model], int, bool, str], str] = {}


def insert_sql(model: type[Model], objs: Sequence[Model], *, returning: bool, using: str = "default",
               suffix: str = "") -> tuple[str, tuple[Any, ...]]:
    """The INSERT of `objs`: one row each, every field's value through the field's own pre_save and
    get_db_prep_save (as Model.save and bulk_create do); the statement text is built once per
    model and row count."""
    connection = connections[using]
    fields = insert_columns(model)
    key = (using, model, len(objs), returning, suffix)
    sql = _INSERTS.get(key)
    if sql is None:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (f"INSERT INTO {quoted(model._meta.db_table)} ({', '.join(quoted(f.column) for f in fields)}) "  # noqa: S608
               f"VALUES {', '.join([row] * len(objs))}")  # names from the model's metadata, values are parameters
        if suffix:
            sql += f" {suffix}"
        if returning:
            sql += f" RETURNING {quoted(model._meta.db_table)}.{quoted(model._meta.pk.column)}"
        _INSERTS[key] = sql
    params = tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection)
                   for obj in objs for f in fields)
    return sql, params


def model_insert[M: Model](obj: M, *, suffix: str = "", using: str = "default") -> M | None:
    """Save a new `obj` as `objects.create` would (pre_save, default values, its pk set), through the
    INSERT built once per model. `suffix` goes before RETURNING (an ON CONFLICT clause): when it skips
    the row, nothing is returned and the result is None. No model signals are sent: use it only for
    models without receivers."""
    model = type(obj)
    sql, params = insert_sql(model, [obj], returning=True, using=using, suffix=suffix)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = using
    return obj


_UPDATES: dict[tuple[str, type[Model]], str] = {}


def model_update(obj: Model, *, using: str = "default") -> int:
    """Save every field of an existing `obj` as `obj.save()` would (the fields' pre_save), through the
    UPDATE built once per model; returns the rows updated. No model signals are sent."""
    connection = connections[using]
    model = type(obj)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    sql = _UPDATES.get((using, model))
    if sql is None:
        sets = ", ".join(f"{quoted(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quoted(opts.db_table)} SET {sets} WHERE {quoted(opts.pk.column)} = %s"  # noqa: S608
        _UPDATES[(using, model)] = sql
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection=connection) for f in fields]
    params.append(opts.pk.get_db_prep_value(obj.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
