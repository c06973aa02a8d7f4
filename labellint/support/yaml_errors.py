"""Turns pydantic validation errors on YAML/TOML data into 'file:line: where: what' lines."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

# Finds the (line, column) of a key path in the source document, 1-based, or None.
LineOf = Callable[[tuple[Any, ...]], tuple[int, int] | None]


def describe_errors(error: ValidationError, model: type[BaseModel], path: str, line_of: LineOf) -> list[str]:
    """One readable line per validation error, with a "did you mean" for unknown keys."""
    lines: list[str] = []
    for err in error.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(top level)"
        position = line_of(loc) or line_of(loc[:-1]) or None
        prefix = f"{path}:{position[0]}:{position[1]}" if position else path
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(model, loc[:-1])
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            message = f"unknown key {key!r}"
            message += f" (did you mean {hint[0]!r}?)" if hint else f" (expected one of: {', '.join(allowed)})"
        elif err["type"] == "missing":
            message = "required key is missing"
        else:
            message = err["msg"].removeprefix("Value error, ")
        lines.append(f"{prefix}: {where}: {message}")
    return lines


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names (aliases where set) allowed at `loc` inside `model`."""
    current: Any = model
    for part in loc:
        current = _inner_model(current, part)
        if current is None:
            return []
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _inner_model(current: Any, part: Any) -> Any:
    if isinstance(current, type) and issubclass(current, BaseModel):
        field = current.model_fields.get(str(part))
        if field is None:
            field = next((f for f in current.model_fields.values() if f.alias == part), None)
        return _unwrap(field.annotation) if field else None
    origin = typing.get_origin(current)
    if origin in (dict, list, tuple):
        args = typing.get_args(current)
        return _unwrap(args[-1]) if args else None
    return None


def _unwrap(annotation: Any) -> Any:
    """Strips Optional/Annotated/unions down to the first model, list or dict inside."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                inner = _unwrap(arg)
                if inner is not None:
                    return inner
        return None
    return annotation
