"""Times labellint against msgspec and pycocotools on generated COCO files, one fresh process per run."""

# .venv/bin/python benchmarks/run.py [--sizes 10k 100k 1m] [--runs 3] [--out FILE]

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFECTS = 1000
PY = sys.executable
LABELLINT = str(Path(sys.executable).with_name("labellint"))
PYCOCO = "import sys; from pycocotools.coco import COCO; COCO(sys.argv[1])"


def measure(cmd: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> dict[str, float]:
    """Best and median wall time, best CPU time and peak RSS of `runs` fresh processes (each child's
    rusage; CPU time moves less than wall time when the machine is shared)."""
    times, cpus, peaks = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode not in ok:
                err.seek(0)
                sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.read().decode()[-2000:]}")
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return {"best": min(times), "median": statistics.median(times), "cpu": min(cpus), "rss": max(peaks)}


def row(tag: str, name: str, r: dict[str, float], ratios: list[float]) -> str:
    cells = [tag, name, f"{r['best']:.3f}", f"{r['median']:.3f}", f"{r['cpu']:.3f}", f"{r['rss']:.0f}"]
    cells += [f"{x:.2f}x" for x in ratios] or ["", ""]
    return "| " + " | ".join(cells) + " |"


def dataset(tag: str, defects: int) -> Path:
    """The generated file for one size (made on first use, seed 0; the defects file shares the seed)."""
    path = DATA / (f"coco_{tag}_defects.json" if defects else f"coco_{tag}.json")
    if not path.exists():
        gen = [PY, str(HERE / "generate_coco.py"), "--annotations", str(SIZES[tag]), "--out", str(path)]
        subprocess.run([*gen, "--defects", str(defects)], check=True)
    return path


def check_cmd(path: Path, output: str = "/dev/null") -> list[str]:
    spec = str(DATA / "labelspec.yaml")
    return [LABELLINT, "check", str(path), "--spec", spec, "--format", "json", "-o", output]


def summary(path: Path) -> dict[str, int]:
    """One untimed warm-up run that also tells how many problems labellint reports."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        subprocess.run(check_cmd(path, str(out)), check=False, capture_output=True)
        return json.loads(out.read_text())["summary"]


def machine() -> list[str]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    head = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    versions = ", ".join(f"{p} {version(p)}" for p in ("labellint", "numpy", "msgspec", "pycocotools"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; RAM {mem / 2**20:.1f} GiB; {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}; labellint at commit {head.stdout.strip() or '?'}"
        " (plus any uncommitted work in the tree)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    args = parser.parse_args()
    rows, notes, targets = [], [], []
    for tag in args.sizes:
        clean, broken = dataset(tag, 0), dataset(tag, DEFECTS)
        cases = {
            "labellint check (clean)": (check_cmd(clean), (0, 1)),
            f"labellint check ({DEFECTS} defects)": (check_cmd(broken), (1,)),
            "msgspec decode (floor)": ([PY, str(HERE / "ref_msgspec.py"), str(clean)], (0,)),
            "msgspec decode, Raw polygons, gc off": (
                [PY, str(HERE / "ref_msgspec.py"), str(clean), "--raw-segmentation", "--no-gc"],
                (0,),
            ),
            "pycocotools COCO()": ([PY, "-c", PYCOCO, str(clean)], (0,)),
        }
        for path in (clean, broken):
            got = summary(path)
            notes.append(
                f"- `{path.name}` ({path.stat().st_size / 1e6:.0f} MB, {got['items']} images, "
                f"{got['annotations']} annotations): {got['errors']} errors, {got['warnings']} warnings"
            )
        results = {}
        for name, (cmd, ok) in cases.items():
            print(f"{tag}: {name} ...", file=sys.stderr, flush=True)
            results[name] = measure(cmd, args.runs, ok)
        floor_r, coco_r = results["msgspec decode (floor)"], results["pycocotools COCO()"]
        floor, coco = floor_r["best"], coco_r["best"]
        for name, r in results.items():
            labellint = name.startswith("labellint")
            rows.append(row(tag, name, r, [r["best"] / floor, r["best"] / coco] if labellint else []))
        targets = []  # the last (largest) size decides; PASS/FAIL on wall time, CPU-time ratio shown beside
        for name in (n for n in results if n.startswith("labellint")):
            wall, cpu = results[name]["best"], results[name]["cpu"]
            for ref, limit, label in ((floor_r, 1.5, "<= 1.5x msgspec decode"), (coco_r, 1.0, "< pycocotools")):
                ratio = wall / ref["best"]
                value = f"{ratio:.2f}x (CPU {cpu / ref['cpu']:.2f}x)"
                targets.append((f"{name} {label} ({tag})", value, ratio <= limit if limit > 1 else ratio < limit))
    startup = measure([LABELLINT, "--version"], max(args.runs, 5))
    rows.append(row("-", "labellint --version", startup, []))
    targets.append(("startup < 0.3 s (median)", f"{startup['median']:.3f} s", startup["median"] < 0.3))
    lines = [
        f"Run {datetime.datetime.now().isoformat(timespec='minutes')}: `{' '.join(sys.argv)}` "
        f"(wall time best and median of {args.runs} fresh processes, best user+sys CPU time, "
        "largest peak RSS; ratios of best wall times)",
        "",
        *machine(),
        "",
        "| size | command | best s | median s | CPU s | peak RSS MiB | labellint / msgspec | labellint / pycocotools |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "| target (DESIGN §9) | measured (best wall; best CPU) | result |",
        "|---|---:|---|",
        *(f"| {name} | {value} | {'PASS' if ok else 'FAIL'} |" for name, value, ok in targets),
        "",
        "Problems reported (warm-up run):",
        *notes,
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
