"""`labellint diff` and `labellint log`: what a change did to the labels' meaning."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from labellint.cli._common import resolve_settings, write_output

WORK_TREE = "work tree"


def _common_options(function):
    options = [
        click.option(
            "--path",
            "paths",
            multiple=True,
            metavar="PATH",
            help="Label files or folders to compare (repeatable; default: the datasets in the config).",
        ),
        click.option("--spec", "spec_file", metavar="FILE", help="The label spec (default: as `check` finds it)."),
        click.option("--config", "config_file", metavar="FILE", help="The config file (default: found walking up)."),
        click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file)."),
        click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
        click.option(
            "--iou",
            type=click.FloatRange(0, 1, min_open=True),
            default=0.5,
            show_default=True,
            help="IoU at which two boxes of different versions are the same object.",
        ),
        click.option(
            "--tolerance",
            type=click.FloatRange(0),
            default=0.01,
            show_default=True,
            help="A box coordinate must change by more than this (pixels) to count as moved.",
        ),
        click.option(
            "--max-relabel",
            type=click.FloatRange(0, 1),
            default=None,
            metavar="FRACTION",
            help="LL505: largest share of annotations one change may relabel "
            "(default: [rules.LL505] max-fraction, else 0.2).",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when LL505 fires."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="Changed annotations listed in text and markdown (json lists all).",
)
def diff(
    base,
    head,
    paths,
    spec_file,
    config_file,
    reader,
    output,
    iou,
    tolerance,
    max_relabel,
    exit_zero,
    output_format,
    limit,
) -> None:
    """What the labels' meaning lost or gained from BASE to HEAD.

    BASE and HEAD are git revisions (HEAD defaults to the work tree), or two label files or
    folders. Items match by file name or id; annotations by id where ids survived, else by
    content (IoU, span overlap, item label); classes by name.
    """
    from labellint.diff.render import render_markdown, render_text

    comparison = _Comparison(paths, spec_file, config_file, reader, iou, tolerance, max_relabel)
    if head is not None and _is_path(base) and _is_path(head):
        result = comparison.files(base, head)
    else:
        result = comparison.revisions(base, head)
    label_diff, base_label, head_label = result
    if output_format == "json":
        text = json.dumps(label_diff.to_json(base_label, head_label), indent=2, ensure_ascii=False) + "\n"
    elif output_format == "markdown":
        text = render_markdown(label_diff, base_label, head_label, limit)
    else:
        text = render_text(label_diff, base_label, head_label, limit)
    write_output(text, output)
    sys.exit(1 if label_diff.problems and not exit_zero else 0)


@click.command()
@click.argument("rev_range", metavar="[RANGE]", required=False, default="HEAD")
@_common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--max-count", "-n", type=click.IntRange(1), default=None, help="Show at most this many commits.")
def log(
    rev_range,
    paths,
    spec_file,
    config_file,
    reader,
    output,
    iou,
    tolerance,
    max_relabel,
    exit_zero,
    output_format,
    max_count,
) -> None:
    """The label-meaning diff of each commit in RANGE that touched label or spec files, newest first."""
    from labellint import git
    from labellint.diff.render import render_text

    comparison = _Comparison(paths, spec_file, config_file, reader, iou, tolerance, max_relabel)
    repo = git.open_repo(Path.cwd())
    pathspecs = comparison.pathspecs(git.repo_root(repo))
    commits = git.commits(repo, rev_range, pathspecs, max_count)
    blocks, texts, flagged = [], [], False
    for number, commit in enumerate(commits, start=1):
        comparison.say(f"commit {number}/{len(commits)} {commit.sha[:10]}")
        parent = commit.parents[0] if commit.parents else None
        label_diff, base_label, head_label = comparison.revisions(parent, commit.sha)
        flagged |= bool(label_diff.problems)
        if output_format == "json":
            blocks.append(
                {
                    "commit": commit.sha,
                    "author": commit.author,
                    "email": commit.email,
                    "date": commit.date,
                    "message": commit.message,
                    "diff": label_diff.to_json(base_label, head_label),
                }
            )
        else:
            message = "\n".join(f"    {line}" for line in commit.message.splitlines())
            body = render_text(label_diff, base_label[:10], head_label[:10], limit=5, class_limit=10)
            texts.append(
                f"commit {commit.sha}\nAuthor: {commit.author} <{commit.email}>\nDate:   {commit.date}\n\n"
                f"{message}\n\n" + "".join(f"    {line}\n" if line else "\n" for line in body.splitlines())
            )
    comparison.done()
    text = json.dumps(blocks, indent=2, ensure_ascii=False) + "\n" if output_format == "json" else "\n".join(texts)
    write_output(text, output)
    sys.exit(1 if flagged and not exit_zero else 0)


def _is_path(value: str) -> bool:
    return Path(value).exists()


class _Comparison:
    """Reads both sides with the same settings and diffs them; reports progress on a terminal."""

    def __init__(self, paths, spec_file, config_file, reader, iou, tolerance, max_relabel) -> None:
        from labellint.diff import DiffOptions, MatchOptions
        from labellint.runner import CheckRequest

        start = Path(paths[0]) if paths else Path.cwd()
        self.settings = resolve_settings(config_file, spec_file, start)
        self.request = CheckRequest(paths=list(paths), reader=reader)
        threshold = max_relabel if max_relabel is not None else _configured_threshold(self.settings.config)
        self.options = DiffOptions(match=MatchOptions(iou=iou), tolerance=tolerance, max_relabel=threshold)
        self.say = _progress() if sys.stderr.isatty() else (lambda _message: None)
        self._sources: dict[str, object] = {}

    def done(self) -> None:
        self.say("")

    def files(self, base: str, head: str):
        """Two label files or folders in the work tree."""
        from labellint.runner import CheckRequest
        from labellint.sources import WorkTree

        base_request = CheckRequest(paths=[base], reader=self.request.reader)
        head_request = CheckRequest(paths=[head], reader=self.request.reader)
        base_data = self._read(base_request, WorkTree(), base)
        head_data = self._read(head_request, WorkTree(), head)
        versions = self._spec_versions(None, None, same=True)
        return self._diff(base_data, head_data, versions), base, head

    def revisions(self, base: str | None, head: str | None):
        """A revision (None: nothing, before the first commit) against a revision or the work tree."""
        from labellint.model import Dataset
        from labellint.sources import GitRevision, WorkTree

        base_source = GitRevision(Path.cwd(), base) if base is not None else None
        head_source = GitRevision(Path.cwd(), head) if head is not None else WorkTree()
        base_data = self._read(self.request, base_source, base) if base_source else Dataset()
        head_data = self._read(self.request, head_source, head or WORK_TREE)
        versions = self._spec_versions(base_source, head_source)
        return self._diff(base_data, head_data, versions), base or "(empty)", head or WORK_TREE

    def pathspecs(self, root: Path) -> list[str]:
        """Repository-relative pathspecs of the label files and the spec (for `log`)."""
        from labellint.runner import targets_for

        targets, folder = targets_for(self.request, self.settings.config)
        specs = []
        for target in targets:
            absolute = Path(os.path.normpath(folder / target.pattern))
            try:
                relative = absolute.relative_to(root).as_posix()
            except ValueError:
                continue
            specs.append(f":(glob){relative}" if any(c in relative for c in "*?[") else relative)
        if self.settings.spec_path is not None:
            with contextlib.suppress(ValueError):  # a spec outside the repository has no history here
                specs.append(self.settings.spec_path.resolve().relative_to(root).as_posix())
        return specs

    def _read(self, request, source, label: str):
        from labellint.errors import UsageError
        from labellint.model import Dataset
        from labellint.runner import read_dataset

        self.say(f"reading {label}")
        try:
            dataset, _crashes = read_dataset(request, self.settings.config, self.settings.spec, source)
        except UsageError as exc:
            if "no such file" not in exc.message or source.__class__.__name__ != "GitRevision":
                raise
            return Dataset()  # the labels do not exist yet at this revision: everything is added
        return dataset

    def _diff(self, base_data, head_data, versions):
        from labellint.diff import diff_datasets

        label_diff = diff_datasets(base_data, head_data, self.options, self.say)
        label_diff.spec = versions
        self.say("")
        return label_diff

    def _spec_versions(self, base_source, head_source, same: bool = False):
        """The spec's version at both ends and the bump its semantic diff requires."""
        from labellint.diff import SpecVersions

        path = self.settings.spec_path
        if path is None:
            return SpecVersions()
        head_spec = self._spec_at(head_source, path)
        base_spec = head_spec if same else self._spec_at(base_source, path)
        versions = SpecVersions(
            base_version=base_spec.version if base_spec else None,
            head_version=head_spec.version if head_spec else None,
        )
        if base_spec is not None and head_spec is not None:
            from labellint.spec.diff import diff_specs, required_bump

            versions.required_bump = required_bump(diff_specs(base_spec, head_spec)).value
        return versions

    def _spec_at(self, source, path: Path):
        from labellint.errors import SpecError
        from labellint.sources import WorkTree
        from labellint.spec.loader import load_spec_text

        if source is None:
            return None
        if isinstance(source, WorkTree):
            return self.settings.spec
        try:
            text = source.read_bytes(path).decode("utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        try:
            return load_spec_text(text, f"{source.label}:{path.name}")
        except SpecError as exc:
            click.echo(f"labellint: the spec at {source.label} does not load, version unknown: {exc.message}", err=True)
            return None


def _configured_threshold(config) -> float | None:
    """LL505's `max_fraction` as the config sets it (`[rules.LL505]`); None when LL505 is not selected."""
    from labellint.policy import build_policy

    rule = next((r for r in build_policy(config).rules if type(r).code == "LL505"), None)
    return rule.options.max_fraction if rule is not None else None


def _progress() -> Callable[[str], None]:
    """One overwritten status line on stderr, with the time since the start."""
    started = time.monotonic()

    def say(message: str) -> None:
        if not message:
            click.echo("\r\033[K", nl=False, err=True)
            return
        click.echo(f"\r\033[Klabellint: {message} ({time.monotonic() - started:.1f}s)", nl=False, err=True)

    return say
