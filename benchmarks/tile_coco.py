"""A large COCO file made fast from a generated one: its images and annotations repeated N times with new ids."""

# python benchmarks/tile_coco.py SOURCE.json N OUT.json
#
# Copy k (0-based) renumbers image ids, annotation ids and image_id references by k * 10**6 and
# prefixes file names with `k_`, so no copy duplicates another (no LL003 ids, no duplicate boxes).
# Written for machines where generate_coco.py's planning of 10M+ annotations takes too long.

from __future__ import annotations

import re
import sys
from pathlib import Path

STEP = 10**6  # above every id of generate_coco.py up to 1M annotations: ids stay small (a dense lookup)


def main() -> None:
    source, copies, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    data = source.read_bytes()
    images_at = data.index(b'"images":[') + len(b'"images":[')
    images_end = data.index(b'],"categories":', images_at)
    annotations_at = data.index(b'"annotations":[') + len(b'"annotations":[')
    assert data.endswith(b"]}") and annotations_at > images_end
    images, annotations = data[images_at:images_end], data[annotations_at:-2]
    with out.open("wb") as f:
        f.write(data[:images_at])
        for k in range(copies):
            shift = (lambda m, k=k: b'"%s":%d' % (m.group(1), int(m.group(2)) + k * STEP)) if k else None
            part = re.sub(rb'"(id)":(\d+)', shift, images) if k else images
            part = part.replace(b'"file_name":"', b'"file_name":"%d_' % k) if k else part
            f.write((b"," if k else b"") + part)
        f.write(data[images_end:annotations_at])
        for k in range(copies):
            part = (
                re.sub(
                    rb'"(id|image_id)":(\d+)',
                    lambda m, k=k: b'"%s":%d' % (m.group(1), int(m.group(2)) + k * STEP),
                    annotations,
                )
                if k
                else annotations
            )
            f.write((b"," if k else b"") + part)
        f.write(b"]}")
    print(f"{out}: {copies} copies of {source}, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
