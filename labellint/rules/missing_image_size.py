"""LL005 missing-image-size: geometry needs width/height and they are missing or not positive."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules.base import Finding, Rule, RuleContext, Scope


class MissingImageSize(Rule):
    """An image with boxes has no positive width and height, so its geometry cannot be checked."""

    code = "LL005"
    name = "missing-image-size"
    scope = Scope.ITEM

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        boxed = ~np.isnan(ds.ann_box).all(axis=1) & (ds.ann_item >= 0)
        has_boxes = np.bincount(ds.ann_item[boxed], minlength=ds.n_items) > 0
        width, height = ds.item_width, ds.item_height
        bad_size = ~(np.nan_to_num(width, nan=-1) > 0) | ~(np.nan_to_num(height, nan=-1) > 0)
        for item in np.flatnonzero(has_boxes & bad_size & ~ds.item_normalized):
            w, h = width[item], height[item]
            if np.isnan(w) or np.isnan(h):
                message = "image has boxes but no width/height"
            else:
                message = f"image size {w:g}x{h:g} is not positive"
            yield Finding(message, item=int(item))
