"""The pydantic model of `labelspec.yaml`: the source of truth for the spec's format."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def semantic_version(value: object) -> str:
    """The value as a version string, if it is MAJOR.MINOR.PATCH (YAML may read 2.1 as a number)."""
    if not SEMVER.match(str(value)):
        raise ValueError(f"{value!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    return str(value)


class Strict(BaseModel):
    """Base for every spec section: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Task(StrEnum):
    """What kind of labels the spec describes."""

    CLASSIFICATION = "classification"
    MULTILABEL = "multilabel"
    DETECTION = "detection"
    SEGMENTATION = "segmentation"
    NER = "ner"
    KEYPOINTS = "keypoints"


class InsideImage(Strict):
    """How far a box may reach outside its image."""

    tolerance: Annotated[float, Field(ge=0, description="Pixels a box may reach past the image edge.")] = 0.0


class Geometry(Strict):
    """Geometry rules: dataset-wide defaults, or one class's overrides (unset = inherit)."""

    inside_image: InsideImage | None = None
    min_width: Annotated[float | None, Field(ge=0, description="Smallest box width, pixels.")] = None
    min_height: Annotated[float | None, Field(ge=0, description="Smallest box height, pixels.")] = None
    min_area: Annotated[float | None, Field(ge=0, description="Smallest box area, square pixels.")] = None
    aspect_ratio: Annotated[
        tuple[float, float] | None,
        Field(description="Allowed width/height range [low, high]."),
    ] = None
    duplicate_iou: Annotated[float | None, Field(gt=0, le=1, description="Same class, IoU at or above: duplicate.")] = (
        None
    )
    conflict_iou: Annotated[
        float | None, Field(gt=0, le=1, description="Different classes, IoU at or above: conflict.")
    ] = None
    allow_overlap: Annotated[
        list[tuple[str, str]] | None,
        Field(description="Pairs of classes whose boxes may legitimately overlap (rider and bike)."),
    ] = None

    @field_validator("aspect_ratio")
    @classmethod
    def _ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not (0 < value[0] <= value[1]):
            raise ValueError("aspect_ratio must be [low, high] with 0 < low <= high")
        return value


class ClassSpec(Strict):
    """One class: what it means, with examples on both sides of its border."""

    id: int | None = Field(default=None, description="The id written in label files (COCO id, YOLO index).")
    definition: str | None = Field(default=None, description="What the class means, in one or two sentences.")
    include: list[str] = Field(default_factory=list, description="Examples that ARE this class.")
    exclude: list[str] = Field(default_factory=list, description="Look-alikes that are NOT this class.")
    aliases: list[str] = Field(default_factory=list, description="Other names the label files may use.")
    geometry: Geometry | None = None


class EdgeCase(Strict):
    """A rule for a hard case that the definitions alone do not settle, and how its examples are marked."""

    id: str
    rule: str
    classes: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    attribute: dict[str, Any] | None = Field(
        default=None, description="Annotations with these attribute values are examples of the edge case."
    )
    tag: str | None = Field(
        default=None, description="Annotations tagged so (a truthy attribute, or a value in `tags`) are examples."
    )

    @field_validator("attribute")
    @classmethod
    def _some_attribute(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and not value:
            raise ValueError("attribute needs at least one name: value")
        return value

    @property
    def marked(self) -> bool:
        """Whether the labels can show which annotations are examples of this edge case."""
        return self.attribute is not None or self.tag is not None


class Unsure(Strict):
    """The safe path for ambiguous samples: an attribute or a class that routes them to review."""

    attribute: str | None = None
    class_: str | None = Field(default=None, alias="class")
    criteria: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_path(self) -> Unsure:
        if self.attribute is None and self.class_ is None:
            raise ValueError("unsure needs an `attribute` or a `class`")
        return self


class ChangelogEntry(Strict):
    """One released version of the spec's meaning."""

    version: str
    changes: str | list[str]
    date: str | None = None

    _semver = field_validator("version", mode="before")(classmethod(lambda cls, value: semantic_version(value)))


class AcceptedException(Strict):
    """A problem the team looked at and accepted: not reported again, with the reason on record."""

    code: str = Field(description="The rule code (or name) whose problem is accepted.")
    item: str = Field(description="The item id as written in the label file.")
    annotation: str | None = Field(default=None, description="The annotation id; unset: every one on the item.")
    reason: str = Field(min_length=1, description="Why this is acceptable (required).")

    _as_text = field_validator("item", "annotation", mode="before")(
        classmethod(lambda cls, value: str(value) if isinstance(value, int) else value)
    )

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an accepted exception needs a reason")
        return value


class Gate(Strict):
    """What every quality gate has: a sample size below which it is "not enough data", and a severity."""

    min_items: Annotated[int, Field(ge=0, description="Fewest items (or ratings) the figure needs.")] = 1
    severity: Literal["error", "warning"] = Field(default="error", description="A failing warning gate exits 0.")


AgreementMetric = Literal["krippendorff_alpha", "fleiss_kappa", "cohen_kappa", "percent_agreement"]


class AgreementGate(Gate):
    """Inter-annotator agreement at least `min` overall and `per_class_min` per class."""

    metric: AgreementMetric = "krippendorff_alpha"
    min_: float = Field(alias="min", ge=-1, le=1, description="Lowest overall agreement that passes.")
    per_class_min: float | None = Field(
        default=None, ge=0, le=1, description="Lowest specific agreement per class (proportion of agreeing pairs)."
    )
    min_items: Annotated[int, Field(ge=0)] = 50
    merge_above: float = Field(
        default=0.2, gt=0, le=1, description="Advise merging two classes when this share of their rater pairs mix them."
    )


class GoldenGate(Gate):
    """Accuracy on the golden set at least `min_accuracy` (overall, and per annotator if asked)."""

    min_accuracy: float = Field(ge=0, le=1)
    per_annotator: bool = False
    min_items: Annotated[int, Field(ge=0)] = 20


class RateGate(Gate):
    """A share that must stay at or below `max_rate` (unsure labels, estimated noise)."""

    max_rate: float = Field(ge=0, le=1)
    min_items: Annotated[int, Field(ge=0)] = 100


class ReworkGate(RateGate):
    """Rework rate at or below `max_rate`, over the commits since `since` (default: all history)."""

    since: str | None = None

    _as_text = field_validator("since", mode="before")(
        classmethod(lambda cls, value: str(value) if isinstance(value, (int, float)) else value)
    )


class CoverageGate(Gate):
    """At least `min_per_class` annotations per spec class and `min_per_edge_case` per marked edge case."""

    min_per_class: int | None = Field(default=None, ge=0)
    min_per_edge_case: int | None = Field(default=None, ge=0)
    min_items: Annotated[int, Field(ge=0)] = 0


class ReviewPolicy(Strict):
    """How much of the labels a person reviews (read by `sample`-style review; not a pass/fail gate)."""

    sample_rate: float = Field(ge=0, le=1)
    unsure: Literal["all", "sample", "none"] = "all"


class Quality(Strict):
    """The definition of done: thresholds the labels must meet before they ship (`labellint gate`)."""

    agreement: AgreementGate | None = None
    golden: GoldenGate | None = None
    unsure: RateGate | None = None
    noise: RateGate | None = None
    rework: ReworkGate | None = None
    coverage: CoverageGate | None = None
    review: ReviewPolicy | None = None


class LabelSpec(Strict):
    """`labelspec.yaml`: what every label means, and the rules labels must follow."""

    spec: int = Field(default=1, description="Version of the spec file format.")
    name: str | None = None
    version: str = Field(description="Semantic version of the labels' meaning.")
    task: Task = Task.DETECTION
    decision: str | None = Field(default=None, description="The decision the labels serve.")
    description: str | None = None
    classes: dict[str, ClassSpec]
    attributes: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="A JSON Schema per attribute; `required: true` makes it mandatory.",
    )
    edge_cases: list[EdgeCase] = Field(default_factory=list)
    priority: list[list[str]] = Field(
        default_factory=list, description="Ordered lists of classes: the first that applies wins."
    )
    unsure: Unsure | None = None
    geometry: Geometry = Field(default_factory=Geometry)
    golden: str | None = Field(default=None, description="Path of the golden set, if any.")
    changelog: list[ChangelogEntry] = Field(default_factory=list)
    ignore: list[AcceptedException] = Field(
        default_factory=list, description="Accepted problems: {code, item, annotation?, reason}."
    )
    quality: Quality | None = Field(default=None, description="Quality gates: the labels' definition of done.")
    # 1-based (line, column) of every key and list entry in the file, by path of keys (set by the loader).
    _positions: dict[tuple[str | int, ...], tuple[int, int]] = PrivateAttr(default_factory=dict)

    def position(self, *path: str | int) -> tuple[int, int] | None:
        """Where the key at `path` is written (or its nearest written parent); None without positions."""
        keys = tuple(path)
        while keys:
            if keys in self._positions:
                return self._positions[keys]
            keys = keys[:-1]
        return None

    @field_validator("spec")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"spec format {value} is not supported by this labellint (it reads format 1)")
        return value

    _semver = field_validator("version", mode="before")(classmethod(lambda cls, value: semantic_version(value)))

    @field_validator("classes")
    @classmethod
    def _unique_ids(cls, value: dict[str, ClassSpec]) -> dict[str, ClassSpec]:
        seen: dict[int, str] = {}
        for name, spec in value.items():
            if spec.id is None:
                continue
            if spec.id in seen:
                raise ValueError(f"classes {seen[spec.id]!r} and {name!r} share id {spec.id}")
            seen[spec.id] = name
        return value

    # ------------------------------------------------------------ derived views
    def class_geometry(self, name: str) -> Geometry:
        """The geometry rules for one class: its overrides on top of the dataset defaults."""
        base = self.geometry.model_dump(exclude_none=True)
        spec = self.classes.get(name)
        if spec is not None and spec.geometry is not None:
            base.update(spec.geometry.model_dump(exclude_none=True))
        return Geometry.model_validate(base)

    def resolve_class(self, name: str) -> str | None:
        """The spec's class name for a label as written (by name or alias), or None."""
        if name in self.classes:
            return name
        for class_name, spec in self.classes.items():
            if name in spec.aliases:
                return class_name
        return None

    def class_names(self) -> list[str]:
        return list(self.classes)

    def names_by_id(self) -> dict[int, str]:
        return {spec.id: name for name, spec in self.classes.items() if spec.id is not None}

    def unsure_class(self) -> str | None:
        return self.unsure.class_ if self.unsure else None
