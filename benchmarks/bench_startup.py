"""Start-up: `labellint --version` and `check` on a 13-annotation COCO file, against `python -c pass`."""

# .venv/bin/python benchmarks/bench_startup.py [--runs 10]
#
# Fresh processes, best wall and best CPU (user + sys) of --runs each, pairs alternated so a
# busy moment of a shared machine hits every command alike. Byte code is compiled first (an
# installed labellint has it; PYTHONDONTWRITEBYTECODE would otherwise make each run compile).

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from run import LABELLINT, PY, measure

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "street-detection"
ANNOTATIONS = 13


def small_project(folder: Path) -> Path:
    """The street-detection example cut to its first 13 annotations and their images."""
    coco = json.loads((EXAMPLE / "labels" / "train.json").read_text())
    coco["annotations"] = coco["annotations"][:ANNOTATIONS]
    used = {a["image_id"] for a in coco["annotations"]}
    coco["images"] = [image for image in coco["images"] if image["id"] in used]
    (folder / "labels").mkdir()
    (folder / "labels" / "good.json").write_text(json.dumps(coco, indent=1))
    shutil.copy(EXAMPLE / "labelspec.yaml", folder / "labelspec.yaml")
    return folder / "labels" / "good.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    import labellint

    compileall.compile_dir(Path(labellint.__file__).parent, quiet=1)
    commands = {
        "python -c pass (floor)": [PY, "-c", "pass"],
        "labellint --version": [LABELLINT, "--version"],
        f"labellint --isolated check labels/good.json ({ANNOTATIONS} annotations)": [
            LABELLINT,
            "--isolated",
            "check",
            "labels/good.json",
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        small_project(Path(tmp))
        os.chdir(tmp)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                results[name].append(measure(cmd, 1))
    floor = min(r["cpu"] for r in results["python -c pass (floor)"])
    print(f"python {sys.version.split()[0]}, {args.runs} runs each, alternated; load {os.getloadavg()[0]:.1f}")
    print("| command | best wall s | median wall s | best CPU s | CPU / floor |")
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        walls = sorted(r["best"] for r in runs)
        cpu = min(r["cpu"] for r in runs)
        print(f"| {name} | {walls[0]:.3f} | {walls[len(walls) // 2]:.3f} | {cpu:.3f} | {cpu / floor:.1f}x |")


if __name__ == "__main__":
    main()
