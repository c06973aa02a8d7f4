"""LL702 missing-image: a label names an image file that is not in the dataset's image folder."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules._media import resolve_images
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class MissingImage(Rule):
    """A labelled image is not in the folder that holds the dataset's images, so it cannot be
    trained on or reviewed.

    The image folder is the one where the label file's other images are found (beside it, `images/`,
    `../images/` or a subfolder of those, such as COCO's `images/train2017/`), else an `images/` or
    `../images/` folder with image files directly in it. Labels whose images are kept elsewhere (no
    such folder, none of their images found) are not checked."""

    code = "LL702"
    name = "missing-image"
    scope = Scope.ITEM
    uses_files = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        resolved = resolve_images(context)
        # Per label file: the folder prefix of the images found, or of an existing images folder.
        folders: dict[int, str | None] = {}
        for item, found in enumerate(resolved.found):
            if found is not None:
                file = int(ds.item_file[item])
                folders.setdefault(file, found.prefix or "./")
        for item, found in enumerate(resolved.found):
            files = resolved.files[item]
            if found is not None or files is None:
                continue
            file = int(ds.item_file[item])
            if file not in folders:
                folder = files.image_folder()
                folders[file] = folder[1] if folder is not None else None
            if folders[file] is None:
                continue
            folder = folders[file]
            yield Finding(
                f"image file {_name(ds, item)!r} is not in the image folder {folder} (from this label file)", item=item
            )


def _name(ds, item: int) -> str:
    return ds.item_names[item]
