"""Start-up: `labellint --version` and `check` on a 13-annotation COCO file, against `python -c pass`."""

# .venv/bin/python benchmarks/bench_startup.py [--runs 10] [--parts] [--base-tree DIR]
#
# --base-tree is a labellint source tree (`git archive REV labellint | tar -x -C DIR`) put first on
# PYTHONPATH for its own `--version` and `check` rows, alternated with this tree's.
#
# --parts adds what the dependencies cost on their own (each imported in a fresh process, and all of
# them together: the floor no labellint code can go under), so `check` minus that floor is
# labellint's own share (its modules, the spec's YAML and pydantic validation, the run).
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


# The dependencies a small `check` imports, one at a time and all together.
PARTS = {
    "import click": "import click",
    "import numpy": "import numpy",
    "import pydantic (BaseModel)": "from pydantic import BaseModel",
    "import ruamel.yaml": "import ruamel.yaml",
    "import msgspec": "import msgspec",
    "import importlib.metadata": "import importlib.metadata",
    "all of them (dependency floor)": "import click, numpy, msgspec, ruamel.yaml, importlib.metadata; "
    "from pydantic import BaseModel",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--parts", action="store_true", help="Also time each dependency's import on its own.")
    parser.add_argument("--base-tree", help="Another labellint source tree to time alongside (on PYTHONPATH).")
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
    if args.base_tree:
        compileall.compile_dir(Path(args.base_tree) / "labellint", quiet=1)
        base = ["env", f"PYTHONPATH={Path(args.base_tree).resolve()}", LABELLINT]
        commands["labellint --version (base tree)"] = [*base, "--version"]
        commands["labellint --isolated check (base tree)"] = [*base, "--isolated", "check", "labels/good.json"]
    if args.parts:
        commands.update({name: [PY, "-c", code] for name, code in PARTS.items()})
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
