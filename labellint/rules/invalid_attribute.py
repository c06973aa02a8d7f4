"""LL103 invalid-attribute: an attribute unknown to the spec or violating its JSON Schema."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from typing import Any

from labellint.rules.base import Finding, Rule, RuleContext, Scope


class InvalidAttribute(Rule):
    """An attribute unknown to the spec, violating its JSON Schema, or required and missing."""

    code = "LL103"
    name = "invalid-attribute"
    scope = Scope.ANNOTATION
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds, spec = context.dataset, context.spec
        if not spec.attributes:  # a spec that declares no attributes does not police them
            return
        allowed = set(spec.attributes)
        if spec.unsure and spec.unsure.attribute:
            allowed.add(spec.unsure.attribute)
        schemas = {name: {k: v for k, v in s.items() if k != "required"} for name, s in spec.attributes.items()}
        validators: dict[str, Any] = {}
        required = [name for name, s in spec.attributes.items() if s.get("required") is True]
        # Attribute values repeat (true/false); validate each distinct value once.
        verdicts: dict[tuple[str, str], str | None] = {}
        for a, attributes in sorted(ds.ann_attributes.items()):
            for name, value in attributes.items():
                if name not in allowed:
                    hint = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                    yield Finding(
                        f"attribute {name!r} is not declared in the spec{suggestion}",
                        annotation=a,
                        identity=f"unknown:{name}",
                    )
                    continue
                if name not in schemas:
                    continue
                key = (name, json.dumps(value, sort_keys=True, default=str))
                if key not in verdicts:
                    verdicts[key] = _violation(schemas[name], value, lambda n=name: _validator(validators, n, schemas))
                if verdicts[key]:
                    yield Finding(f"attribute {name!r}: {verdicts[key]}", annotation=a, identity=f"value:{name}")
        for a in range(ds.n_annotations) if required else ():
            present = ds.ann_attributes.get(a, {})
            for name in required:
                if name not in present:
                    yield Finding(f"required attribute {name!r} is missing", annotation=a, identity=f"missing:{name}")


# What a schema of the one keyword `type` accepts in every JSON Schema draft, decided without
# jsonschema (0.1 s to import, most of a small run's start-up). Anything else, and the message
# of every violation, is jsonschema's.
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "string": (str,),
    "null": (type(None),),
    "integer": (int,),
    "number": (int, float),
}


def _plainly_valid(schema: dict[str, Any], value: Any) -> bool:
    kinds = _PLAIN_TYPES.get(schema["type"]) if schema.keys() == {"type"} and isinstance(schema["type"], str) else None
    if kinds is None or (isinstance(value, bool) and bool not in kinds):  # true is no integer in JSON
        return False
    return isinstance(value, kinds) and not (isinstance(value, float) and value != value)


def _violation(schema: dict[str, Any], value: Any, validator: Callable[[], Any]) -> str | None:
    if _plainly_valid(schema, value):
        return None
    error = next(iter(validator().iter_errors(value)), None)
    return None if error is None else error.message


def _validator(validators: dict[str, Any], name: str, schemas: dict[str, dict[str, Any]]) -> Any:
    """The attribute's jsonschema validator, made (and jsonschema imported) when first needed."""
    if name not in validators:
        import jsonschema

        validators[name] = jsonschema.validators.validator_for(schemas[name])(schemas[name])
    return validators[name]
