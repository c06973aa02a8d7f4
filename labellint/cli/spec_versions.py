"""`labellint spec diff|check|bump|affected`: the spec's meaning across versions, and its version number."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from labellint.atomic import write_atomically

SPEC_OPTION = click.option("--spec", "spec_file", metavar="FILE", help="The spec (default: config, else found upward).")
CONFIG_OPTION = click.option("--config", "config_file", metavar="FILE", help="The config file (default: found upward).")
FORMAT_OPTION = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


# ----------------------------------------------------------------------------- shared set-up
def _settings(config_file: str | None, spec_file: str | None, *, need_spec: bool = True):
    """(config, spec path, policy) without loading the work-tree spec yet."""
    from labellint.config import find_config, load_config, repository_root
    from labellint.errors import ConfigError, SpecError
    from labellint.spec.diff import resolve_policy
    from labellint.spec.loader import find_spec

    start = Path.cwd()
    config_path = Path(config_file) if config_file else find_config(start)
    config = load_config(config_path)
    if spec_file:
        spec_path = Path(spec_file)
    elif config.spec:
        spec_path = config.resolve(config.spec)
    else:
        spec_path = find_spec(config.root if config_path else start, repository_root(start))
    if spec_path is None and need_spec:
        raise SpecError("no labelspec.yaml found here or above; pass --spec FILE")
    try:
        policy = resolve_policy(config.spec_policy)
    except ValueError as exc:
        raise ConfigError(f"{config.source or 'config'}: [spec-policy] {exc}") from None
    return config, spec_path.resolve() if spec_path else None, policy


def _display(path: Path) -> str:
    from labellint.cli._common import display_path

    return display_path(path)


def _side(arg: str | None, spec_path: Path, *, base: bool):
    """A side from a file path, a git revision, or (None) the work tree."""
    from labellint import git
    from labellint.errors import GitError
    from labellint.spec_check import file_side, revision_side, work_tree_side

    if arg is None:
        return work_tree_side(spec_path, _display(spec_path))
    if Path(arg).is_file():
        return file_side(Path(arg).resolve(), _display(Path(arg)))
    try:
        return revision_side(spec_path, arg, missing_ok=base)
    except GitError:
        repo = git.open_repo(spec_path.parent)
        if base and not git.has_commits(repo):
            # The first commit of a repository: nothing to compare against.
            from labellint.rules.change import Side
            from labellint.sources import WorkTree

            return Side(arg, None, None, None, spec_path.parent, WorkTree())
        raise


def _base_rev(rev: str, spec_path: Path) -> str:
    """Where HEAD branched from `rev` (a pull request compares against that), when `rev` is a revision."""
    from labellint import git

    if Path(rev).is_file():
        return rev
    repo = git.open_repo(spec_path.parent)
    if not git.has_commits(repo):
        return rev
    return git.merge_base(repo, rev)


def _change_lines(changes) -> list[str]:
    width = max((len(c.where) for c in changes), default=0)
    return [f"  {c.bump.value:<5}  {c.where:<{width}}  {c.detail} [{c.kind}]" for c in changes]


def _write_atomic(path: Path, text: str) -> None:
    """Replaces `path` with `text` atomically, its mode and line endings kept."""
    write_atomically(path, text, newline="")


# ----------------------------------------------------------------------------- spec diff
@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_diff(base, head, spec_file, config_file, output_format) -> None:
    """What changed in the spec's MEANING from BASE to HEAD (git revisions or spec files; HEAD
    defaults to the work tree), each change with the bump it needs."""
    from labellint.errors import SpecError
    from labellint.spec.diff import diff_specs, required_bump
    from labellint.spec.versioning import bump_made

    both_files = Path(base).is_file() and head is not None and Path(head).is_file()
    _, spec_path, policy = _settings(config_file, spec_file, need_spec=not both_files)
    before = _side(base, spec_path, base=False)
    after = _side(head, spec_path, base=False)
    if before.spec is None or after.spec is None:
        raise SpecError(f"no spec at {base if before.spec is None else head}")
    changes = diff_specs(before.spec, after.spec, policy)
    required = required_bump(changes)
    made = bump_made(before.spec.version, after.spec.version)
    if output_format == "json":
        document = {
            "schema_version": 1,
            "base": before.label,
            "head": after.label,
            "base_version": before.spec.version,
            "head_version": after.spec.version,
            "required": required.value,
            "actual": made.value,
            "changes": [c.as_json() for c in changes],
        }
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(
        f"spec {before.spec.version} ({before.label}) -> {after.spec.version} ({after.label}): "
        + (f"{len(changes)} change{'s' if len(changes) != 1 else ''} of meaning" if changes else "no change of meaning")
        + (f"; needs a {required.value} bump (made: {made.value})" if changes else "")
    )
    for line in _change_lines(changes):
        click.echo(line)


# ----------------------------------------------------------------------------- spec check
@click.command("check")
@click.option(
    "--base", "base", required=True, metavar="REV", help="Compare with this revision (e.g. HEAD, origin/main)."
)
@click.option("--head", "head", metavar="REV", help="Compare this revision (default: the work tree).")
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_check_command(base, head, spec_file, config_file, output_format) -> None:
    """Does the version bump match the change of meaning since BASE, with a changelog entry?
    (LL501, LL502, LL504). Exit 1 when the bump or the changelog falls short."""
    from labellint.cli._common import display_path
    from labellint.reporters.text import format_problem
    from labellint.spec_check import change_context, change_rules, spec_check

    config, spec_path, policy = _settings(config_file, spec_file)
    before = _side(_base_rev(base, spec_path), spec_path, base=True)
    before.label = base
    after = _side(head, spec_path, base=False)
    context = change_context(before, after, policy, config)
    result = spec_check(context, change_rules(ignore=config.ignore))
    for note in result.notes:
        click.echo(f"labellint: {note}", err=True)
    if output_format == "json":
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        if result.base_version is not None:
            click.echo(
                f"spec {result.base_version} ({base}) -> {result.head_version} ({after.label}): "
                f"the changes need {result.required.value}, the version made {result.actual.value}"
            )
        for line in _change_lines(result.changes):
            click.echo(line)
        for problem in result.report.problems:
            click.echo(format_problem(problem))
        for crash in result.report.crashes:
            click.echo(f"internal error: {crash.source} crashed: {crash.error}")
        verdict = "ok" if result.ok else f"failed ({len(result.report.problems)} problems)"
        click.echo(f"spec check {verdict}: {display_path(spec_path)}")
    sys.exit(3 if result.report.crashes else 0 if result.ok else 1)


# ----------------------------------------------------------------------------- spec bump
@click.command("bump")
@click.option(
    "--level",
    type=click.Choice(["auto", "major", "minor", "patch"]),
    default="auto",
    show_default=True,
    help="auto: the bump the changes since BASE need.",
)
@click.option("--base", "base", default="HEAD", show_default=True, metavar="REV", help="The last released spec.")
@click.option("--dry-run", is_flag=True, help="Show the edit; write nothing.")
@SPEC_OPTION
@CONFIG_OPTION
def spec_bump(level, base, dry_run, spec_file, config_file) -> None:
    """Write the new version and a changelog stub listing the changes since BASE (atomically;
    comments, key order and formatting of everything else are kept byte for byte)."""
    import datetime
    import difflib

    from labellint.spec.bump import bumped_text
    from labellint.spec.diff import diff_specs, required_bump
    from labellint.spec.versioning import Bump, next_version, parse_version, satisfies

    _, spec_path, policy = _settings(config_file, spec_file)
    display = _display(spec_path)
    after = _side(None, spec_path, base=False)
    before = _side(base, spec_path, base=True) if not Path(base).is_file() else _side(base, spec_path, base=False)
    released = before.spec or after.spec  # no spec at BASE: bump from the current version
    changes = diff_specs(before.spec, after.spec, policy) if before.spec is not None else []
    wanted = required_bump(changes) if level == "auto" else Bump(level)
    if wanted is Bump.NONE:
        click.echo(f"{display}: no change of meaning since {base}; nothing to bump ({after.spec.version})")
        return
    if (
        released is not after.spec
        and after.spec.version != released.version
        and (satisfies(wanted, released.version, after.spec.version))
    ):
        target = after.spec.version  # already bumped far enough: only make sure the changelog says so
    elif level == "auto" and wanted is Bump.MAJOR and parse_version(released.version)[0] == 0:
        # Under MAJOR 0 a breaking change is a MINOR bump (semver item 4); 1.0.0 is a deliberate
        # `--level major`, not something a rename should force.
        target = next_version(released.version, Bump.MINOR)
    else:
        target = next_version(released.version, wanted)
    has_entry = any(e.version == target for e in after.spec.changelog)
    if target == after.spec.version and has_entry:
        click.echo(f"{display}: already at {target} with a changelog entry; nothing to do")
        return
    text = after.spec_text
    if has_entry:
        raise click.ClickException(f"{display}: the changelog already has {target} but the version says otherwise")
    new_text = bumped_text(text, target, [c.detail for c in changes], datetime.date.today().isoformat())
    if dry_run:
        diff = difflib.unified_diff(
            text.splitlines(keepends=True), new_text.splitlines(keepends=True), display, f"{display} (bumped)"
        )
        click.echo("".join(diff), nl=False)
        click.echo(f"{display}: would bump {after.spec.version} -> {target} ({wanted.value}); --dry-run wrote nothing")
        return
    _write_atomic(spec_path, new_text)
    click.echo(
        f"{display}: {after.spec.version} -> {target} ({wanted.value}); changelog stub lists {len(changes)} "
        f"change{'s' if len(changes) != 1 else ''}: edit it to say why"
    )


# ----------------------------------------------------------------------------- spec affected
@click.command("affected")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", "base", required=True, metavar="REV", help="The spec version the labels were made under.")
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_affected(paths, base, spec_file, config_file, output_format) -> None:
    """The items whose classes a MAJOR spec change since BASE touched: what to relabel (PATHS, or
    the config's datasets, as they are in the work tree)."""
    from labellint.errors import SpecError
    from labellint.runner import CheckRequest, read_dataset
    from labellint.sources import WorkTree
    from labellint.spec.diff import diff_specs
    from labellint.spec_check import affected_items, touched_classes

    config, spec_path, policy = _settings(config_file, spec_file)
    before = _side(base, spec_path, base=False)
    after = _side(None, spec_path, base=False)
    if before.spec is None:
        raise SpecError(f"no spec at {base}")
    changes = diff_specs(before.spec, after.spec, policy)
    touched = touched_classes(changes, before.spec, after.spec)
    majors = [c for c in changes if c.bump.value == "major"]
    if majors:
        dataset, _ = read_dataset(CheckRequest(paths=list(paths)), config, after.spec, WorkTree())
        items = affected_items(dataset, touched)
        total = dataset.n_items
    else:
        items, total = [], 0
    if output_format == "json":
        document = {
            "schema_version": 1,
            "base": base,
            "base_version": before.spec.version,
            "head_version": after.spec.version,
            "classes": None if touched is None else sorted(touched),
            "changes": [c.as_json() for c in majors],
            "items": [{"path": i.path, "item": i.item, "name": i.name, "classes": i.classes} for i in items],
            "total_items": total,
        }
        click.echo(json.dumps(document, indent=2))
        return
    if not majors:
        click.echo(f"no major change of meaning since {base} ({before.spec.version}): nothing to relabel")
        return
    for change in majors:
        click.echo(f"  {change.where}: {change.detail}")
    for item in items:
        name = f" ({item.name})" if item.name and item.name != item.item else ""
        click.echo(f"{item.path}: item {item.item}{name}: {', '.join(item.classes)}")
    scope = "every class" if touched is None else ", ".join(sorted(touched))
    click.echo(f"{len(items)} of {total} items to relabel since {base} ({before.spec.version}); classes: {scope}")
