"""ACME001 whole-image-box: a box that covers (nearly) its whole image."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import numpy as np
from pydantic import Field

from labellint.problem import Severity
from labellint.rules import Finding, Rule, RuleContext, RuleOptions, Scope


class WholeImageBoxOptions(RuleOptions):
    """When a box counts as the whole image."""

    max_fraction: Annotated[
        float, Field(gt=0, le=1, description="Largest share of the image's area a box may cover.")
    ] = 0.95


class WholeImageBox(Rule):
    """A box covering more than `max-fraction` of its image: usually a click that selected everything."""

    code = "ACME001"
    name = "whole-image-box"
    scope = Scope.ANNOTATION
    severity = Severity.WARNING
    Options = WholeImageBoxOptions

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        if ds.n_annotations == 0:
            return
        items = ds.ann_item.clip(0)
        area = ds.item_width[items] * ds.item_height[items]
        valid = (ds.ann_item >= 0) & ~ds.item_normalized[items] & (area > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = ds.ann_box[:, 2] * ds.ann_box[:, 3] / area
        for a in np.flatnonzero(valid & (share > self.options.max_fraction)):
            yield Finding(
                f"{ds.class_name(int(a))!r} box covers {share[a]:.0%} of its image "
                f"(more than {self.options.max_fraction:.0%})",
                annotation=int(a),
            )
