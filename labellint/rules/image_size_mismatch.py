"""LL701 image-size-mismatch: the width and height a label declares differ from its image file's."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._media import resolve_images
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class ImageSizeMismatch(Rule):
    """An item's declared width and height differ from its image file's as displayed (EXIF
    orientation applied), so its boxes sit on pixels other than the ones the labels describe.

    Only the image header is read. A 90-degree EXIF orientation swaps width and height: a label
    that declares the stored size of such an image is told so, and so is a label whose width and
    height are swapped. Quiet where the image file is not found (LL702 reports that)."""

    code = "LL701"
    name = "image-size-mismatch"
    scope = Scope.ITEM
    uses_files = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        resolved = resolve_images(context)
        width, height = ds.item_width, ds.item_height
        for item, found in enumerate(resolved.found):
            if found is None or np.isnan(width[item]) or np.isnan(height[item]) or ds.item_normalized[item]:
                continue
            header = resolved.files[item].header(found)
            if header is None:
                continue
            declared = (float(width[item]), float(height[item]))
            shown = header.shown
            if declared == shown:
                continue
            message = _message(declared, header.width, header.height, header.orientation)
            yield Finding(message, item=item)
        for files in {id(f): f for f in resolved.files if f is not None}.values():
            files.save()


def _message(declared: tuple[float, float], width: int, height: int, orientation: int) -> str:
    said = f"declared size {declared[0]:g}x{declared[1]:g}"
    if orientation in (5, 6, 7, 8):
        shown = f"{height}x{width}"
        if declared == (width, height):
            return (
                f"{said} is the image's stored size, but its EXIF orientation {orientation} turns it 90 degrees to "
                f"{shown} as displayed: boxes drawn on the displayed image do not fit the declared size"
            )
        return (
            f"{said} differs from the image's {shown} as displayed (EXIF orientation {orientation}: turned 90 degrees)"
        )
    if declared == (height, width):
        return f"{said} has width and height swapped: the image is {width}x{height}"
    return f"{said} differs from the image file's {width}x{height}"
