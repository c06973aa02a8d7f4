"""LL704 unlabelled-image: an image file in the dataset's image folder that no label names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from labellint.problem import Location, Severity
from labellint.rules._media import IMAGE_SUFFIXES, resolve_images
from labellint.rules.base import Finding, Rule, RuleContext, Scope
from labellint.support.paths import from_cwd


class UnlabelledImage(Rule):
    """An image file sits in the folder of the dataset's images but no label file read names it:
    a forgotten image, or a negative that should be listed as one.

    Negatives (images with nothing to label) are legitimate, hence info. The folder is the one
    where the labels' images were found; only image files directly in it are looked at."""

    code = "LL704"
    name = "unlabelled-image"
    scope = Scope.DATASET
    severity = Severity.INFO

    def check(self, context: RuleContext) -> Iterator[Finding]:
        if context.work_tree is None:
            return
        resolved = resolve_images(context)
        named: dict[Path, set[str]] = {}  # image folder -> names of the labelled files in it
        for found in resolved.found:
            if found is not None:
                named.setdefault(found.path.parent.resolve(), set()).add(found.path.name)
        for folder in sorted(named):
            try:
                present = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            except OSError:
                continue
            for image in present:
                if image.name not in named[folder]:
                    display = from_cwd(image, context.work_tree)
                    yield Finding(
                        "image file with no labels: no label file read names it (list it as a negative, or label it)",
                        location=Location(path=display),
                        identity=display,
                    )
