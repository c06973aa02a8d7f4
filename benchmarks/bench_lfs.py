"""Times reading a ~140 MB COCO file tracked by Git LFS at a revision against reading it from the work tree."""

# .venv/bin/python benchmarks/bench_lfs.py [--annotations 485000] [--runs 3]
# Each figure is a fresh process that reads the file into a Dataset through labellint's readers
# (commands/labels.read_dataset), from the work tree or from HEAD of a repository where the file is
# LFS-tracked (content from the local LFS store through `git lfs smudge`) or a plain git blob.
# The floors are the cheapest reads of the same bytes: `cat` of the work-tree file, and
# `git lfs smudge` of the pointer into /dev/null.

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DATA, PY, measure  # noqa: E402

READ = """
import sys
from pathlib import Path
from labellint.commands.labels import LabelSelection, read_dataset
from labellint.settings.config import Config
from labellint.sources import GitRevision, WorkTree
path, rev = Path(sys.argv[1]), sys.argv[2]
source = WorkTree() if rev == "-" else GitRevision(path.parent, rev)
dataset, crashes = read_dataset(LabelSelection(paths=[str(path)]), Config(root=path.parent), None, source)
assert dataset.n_annotations > 0 and not crashes and not dataset.issues, (dataset.n_annotations, dataset.issues[:3])
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def repository(folder: Path, labels: Path, lfs: bool) -> Path:
    """A repository with one commit holding `labels` as data/labels.json (LFS-tracked or a plain blob)."""
    folder.mkdir()
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "bench@example.invalid")
    git(folder, "config", "user.name", "bench")
    if lfs:
        git(folder, "lfs", "install", "--local")
        git(folder, "lfs", "track", "data/labels.json")
    (folder / "data").mkdir()
    shutil.copy(labels, folder / "data" / "labels.json")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "labels")
    return folder / "data" / "labels.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=485_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    labels = DATA / f"coco_lfs_{args.annotations}.json"
    if not labels.exists():
        DATA.mkdir(exist_ok=True)
        gen = [PY, str(HERE / "generate_coco.py"), "--annotations", str(args.annotations), "--out", str(labels)]
        subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
    size = labels.stat().st_size / 2**20
    with tempfile.TemporaryDirectory() as tmp:
        lfs_file = repository(Path(tmp) / "lfs", labels, lfs=True)
        plain_file = repository(Path(tmp) / "plain", labels, lfs=False)
        pointer = Path(tmp) / "pointer"
        pointer.write_bytes(
            subprocess.run(
                ["git", "cat-file", "-p", "HEAD:data/labels.json"], cwd=lfs_file.parent, check=True, capture_output=True
            ).stdout
        )
        rows = {
            "read from the work tree": measure([PY, "-c", READ, str(lfs_file), "-"], args.runs),
            "read at HEAD, LFS-tracked": measure([PY, "-c", READ, str(lfs_file), "HEAD"], args.runs),
            "read at HEAD, plain git blob": measure([PY, "-c", READ, str(plain_file), "HEAD"], args.runs),
            "floor: cat work-tree file": measure(["sh", "-c", f"cat '{lfs_file}' > /dev/null"], args.runs),
            "floor: git lfs smudge": measure(
                ["sh", "-c", f"cd '{lfs_file.parent}' && git lfs smudge -- data/labels.json < '{pointer}' > /dev/null"],
                args.runs,
            ),
        }
    base = rows["read from the work tree"]
    print(f"{labels.name}: {size:.0f} MiB, {args.annotations} annotations, best of {args.runs}\n")
    print("| read | best s | median s | CPU s | peak RSS MiB | / work tree (wall) | / work tree (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        ratio = f"{r['best'] / base['best']:.2f}x | {r['cpu'] / base['cpu']:.2f}x"
        print(f"| {name} | {r['best']:.3f} | {r['median']:.3f} | {r['cpu']:.3f} | {r['rss']:.0f} | {ratio} |")
    lfs = rows["read at HEAD, LFS-tracked"]
    verdict = "PASS" if lfs["best"] / base["best"] <= 1.2 else "FAIL"
    print(f"\nLFS at a revision <= 1.2x the work tree: {lfs['best'] / base['best']:.2f}x -> {verdict}")


if __name__ == "__main__":
    main()
