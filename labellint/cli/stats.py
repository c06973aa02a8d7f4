"""`labellint stats`: the few numbers that say whether the labels are getting better."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import write_output


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--spec", "spec_file", metavar="FILE", help="Label spec (for the unsure path) [default: found].")
@click.option("--reader", metavar="NAME", help="Force the reader for the label files.")
@click.option("--since", metavar="REV", help="Rework over the commits since REV [default: the whole history].")
@click.option("--max-commits", default=100, show_default=True, type=click.IntRange(min=1), help="History depth.")
@click.option("--history/--no-history", default=True, show_default=True, help="Rework rate from git history.")
@click.option("--iou", default=0.5, show_default=True, type=click.FloatRange(0, 1), help="IoU to match boxes.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many pairs to list.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def stats(paths, spec_file, reader, since, max_commits, history, iou, top, output_format, output) -> None:
    """Class counts, unsure rate, annotations per item, agreement, rework rate and confusions of PATHS."""
    from labellint.cli._common import resolve_settings
    from labellint.cli._labels import read_labels, source_for
    from labellint.quality.stats import dataset_stats

    anchor = Path(paths[0])
    settings = resolve_settings(None, spec_file, anchor)
    dataset = read_labels(list(paths), source_for(None, anchor), settings.spec, reader)
    report = dataset_stats(dataset, settings.spec)
    report["agreement"] = _agreement(dataset, iou, top)
    report["rework"] = _rework(list(paths), settings.spec, reader, since, max_commits) if history else None
    report["confusion_pairs"] = _confusions(report, top)
    text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def _agreement(dataset, iou: float, top: int) -> dict | None:
    """Agreement among the annotators the labels name (None with fewer than two)."""
    from labellint.cli.quality import agreement_report
    from labellint.quality.from_dataset import ratings_from_dataset
    from labellint.quality.set_agreement import pairwise_set_agreement, set_agreement_report, set_kind

    known = dataset.annotator_index() >= 0
    if len(set(dataset.annotator_index()[known].tolist())) < 2:
        return None
    kind = set_kind(dataset)
    if kind is None:
        full = agreement_report(ratings_from_dataset(dataset), [], level="nominal", weights=None, top=top)
        keys = ("items", "annotators", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
        return {"kind": "classification", **{k: full[k] for k in keys}, "confusion_pairs": full["confusion_pairs"]}
    return set_agreement_report(pairwise_set_agreement(dataset, kind, iou=iou), kind, iou, top)


def _rework(paths: list[str], spec, reader, since: str | None, max_commits: int) -> dict:
    """Rework rate over the commits that touched PATHS (null with a reason outside git)."""
    from labellint import git
    from labellint.cli._labels import read_labels
    from labellint.errors import GitError, UsageError
    from labellint.model import Dataset
    from labellint.quality.rework import rework
    from labellint.sources import GitRevision

    anchor = Path(paths[0]).resolve()
    try:
        repo = git.open_repo(anchor if anchor.is_dir() else anchor.parent)
    except GitError as exc:
        return {"rate": None, "reason": str(exc)}
    root = git.repo_root(repo)
    relative = [Path(p).resolve().relative_to(root).as_posix() for p in paths]
    rev_range = f"{git.resolve(repo, since)}..HEAD" if since else "HEAD"
    try:
        found = git.commits(repo, rev_range, paths=relative, max_count=max_commits)
    except GitError as exc:
        return {"rate": None, "reason": str(exc)}
    commits = list(reversed(found))
    if since:
        commits = git.commits(repo, git.resolve(repo, since), max_count=1) + commits
    versions: list[tuple[str, Dataset]] = []
    for commit in commits:
        try:
            dataset = read_labels(paths, GitRevision(anchor.parent, commit.sha), spec, reader)
        except UsageError:
            dataset = Dataset()  # the files did not exist yet at this commit
        versions.append((commit.sha, dataset))
    if len(versions) < 2:
        return {
            "rate": None,
            "reason": f"{len(versions)} commit(s) touch these labels; rework needs two",
            "commits": [],
        }
    result = rework(versions)
    messages = {c.sha: c.message.splitlines()[0] if c.message else "" for c in commits}
    return {
        "rate": result.rate,
        "reason": None,
        "definition": "share of annotations changed (relabeled, moved or deleted) after they were first committed",
        "lineages": result.lineages,
        "reworked": result.reworked,
        "commits": [
            {
                "commit": change.label,
                "message": messages[change.label],
                "annotations": change.annotations,
                "unchanged": change.unchanged,
                "relabeled": change.relabeled,
                "moved": change.moved,
                "removed": change.removed,
                "added": change.added,
                "renamed_classes": change.renamed,
            }
            for change in result.changes
        ],
        "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in result.transitions.most_common()],
    }


def _confusions(report: dict, top: int) -> list[dict]:
    """Top confusions: between annotators when there are several, else relabelings in history."""
    agreement = report.get("agreement")
    if agreement and agreement.get("confusion_pairs"):
        return [{**pair, "source": "annotators"} for pair in agreement["confusion_pairs"][:top]]
    rework = report.get("rework") or {}
    pairs: dict[tuple[str, str], int] = {}
    for transition in rework.get("transitions", []):
        key = tuple(sorted((transition["from"], transition["to"])))
        pairs[key] = pairs.get(key, 0) + transition["count"]
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [{"a": a, "b": b, "count": n, "source": "history"} for (a, b), n in ranked]


def render_text(report: dict) -> str:
    per_item = report["annotations_per_item"]
    lines = [f"{report['annotations']} annotations on {report['items']} items in {report['files']} files", ""]
    lines.append("  class                      annotations   items   share")
    for name, row in report["classes"].items():
        lines.append(f"  {name[:26]:<26}  {row['annotations']:>11}  {row['items']:>6}  {row['share']:>6.3f}")
    if report["unused_classes"]:
        lines.append(f"  unused spec classes: {', '.join(report['unused_classes'])}")
    unsure = report["unsure"]
    if unsure["rate"] is None:
        lines += ["", f"  unsure rate: n/a ({unsure['reason']})"]
    else:
        lines += ["", f"  unsure rate: {unsure['rate']:.3f} ({unsure['annotations']} annotations, {unsure['path']})"]
    if per_item["mean"] is not None:
        lines.append(
            f"  annotations per item: mean {per_item['mean']:.2f}, median {per_item['median']:g}, "
            f"max {per_item['max']}, {per_item['items_without_annotations']} items without any"
        )
    if report["annotators"]:
        lines.append(f"  annotators: {len(report['annotators'])}")
    agreement = report["agreement"]
    if agreement:
        if agreement["kind"] == "classification":
            alpha = agreement["krippendorff_alpha"]["value"]
            shown = "n/a" if alpha is None else f"{alpha:.3f}"
            lines.append(f"  agreement: Krippendorff's alpha (nominal) {shown}")
        else:
            for mode, figures in agreement["pooled"].items():
                f1 = "n/a" if figures["f1"] is None else f"{figures['f1']:.3f}"
                lines.append(f"  agreement ({agreement['kind']}, {mode}): F1 {f1}")
    rework = report["rework"]
    if rework is not None:
        if rework["rate"] is None:
            lines.append(f"  rework rate: n/a ({rework['reason']})")
        else:
            lines.append(
                f"  rework rate: {rework['rate']:.3f} ({rework['reworked']} of {rework['lineages']} annotations "
                f"changed after their first commit, over {len(rework['commits'])} commits)"
            )
    if report["confusion_pairs"]:
        lines += ["", "  top confusion pairs:"]
        for pair in report["confusion_pairs"]:
            lines.append(f"    {pair['a']} / {pair['b']}: {pair['count']} ({pair['source']})")
    return "\n".join(lines) + "\n"
