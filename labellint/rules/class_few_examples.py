"""LL402 class-few-examples: a spec class with too few include or exclude examples."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from labellint.problem import Severity
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope


class ClassFewExamplesOptions(RuleOptions):
    """How many examples each side of a class's border needs."""

    min_include: Annotated[int, Field(ge=0, description="Fewest `include` examples a class may have.")] = 3
    min_exclude: Annotated[int, Field(ge=0, description="Fewest `exclude` examples a class may have.")] = 3


class ClassFewExamples(Rule):
    """A spec class with fewer `include` or `exclude` examples than the minimum (3 each by default)."""

    code = "LL402"
    name = "class-few-examples"
    scope = Scope.SPEC
    severity = Severity.WARNING
    todo = True
    needs_spec = True
    Options = ClassFewExamplesOptions

    def check(self, context: RuleContext) -> Iterator[Finding]:
        options: ClassFewExamplesOptions = self.options  # type: ignore[assignment]
        for name, spec in context.spec.classes.items():
            for side, examples, minimum in (
                ("include", spec.include, options.min_include),
                ("exclude", spec.exclude, options.min_exclude),
            ):
                if len(examples) < minimum:
                    yield Finding(
                        f"class {name!r} has {len(examples)} {side} example{'s' if len(examples) != 1 else ''}, "
                        f"fewer than {minimum}",
                        location=spec_location(context, "classes", name, *([side] if examples else [])),
                        identity=f"class:{name}|{side}",
                    )
