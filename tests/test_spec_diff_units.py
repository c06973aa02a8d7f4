"""The pure parts of spec versioning: semver arithmetic, rewording vs change, class mentions, policy."""

from __future__ import annotations

import pytest

from labellint.spec.diff import is_rewording, mentions, resolve_policy
from labellint.spec.versioning import Bump, bump_made, is_downgrade, next_version, satisfies, version_key


@pytest.mark.parametrize(
    ("base", "head", "made"),
    [
        ("1.2.3", "2.0.0", "major"),
        ("1.2.3", "1.3.0", "minor"),
        ("1.2.3", "1.2.4", "patch"),
        ("1.2.3", "1.2.3", "none"),
        ("1.2.3", "1.2.2", "none"),
        ("1.9.9", "1.10.0", "minor"),  # numeric, not text, order
        ("2.0.0-rc.1", "2.0.0", "patch"),
        ("1.2.3", "2.0.0-rc.1", "major"),
    ],
)
def test_bump_made(base, head, made):
    assert bump_made(base, head) is Bump(made)


def test_version_order_follows_semver():
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert is_downgrade("1.10.0", "1.9.0") and not is_downgrade("1.9.0", "1.10.0")


def test_satisfies_and_next_version():
    assert satisfies(Bump.MINOR, "1.2.0", "2.0.0")
    assert not satisfies(Bump.MAJOR, "1.2.0", "1.3.0")
    assert satisfies(Bump.MAJOR, "0.3.1", "0.4.0")  # initial development: minor may break
    assert not satisfies(Bump.MAJOR, "0.3.1", "0.3.2")
    assert [next_version("1.2.3-rc.1", b) for b in (Bump.MAJOR, Bump.MINOR, Bump.PATCH)] == ["2.0.0", "1.3.0", "1.2.4"]
    assert Bump.MAJOR > Bump.MINOR > Bump.PATCH > Bump.NONE


@pytest.mark.parametrize(
    ("before", "after", "same_meaning"),
    [
        ("A person on foot.", "a person on foot", True),
        ("A person on foot.", "A persn on foot.", True),
        ("A cat on foot.", "A car on foot.", False),  # short words: no typo allowance
        ("Box it when visible.", "Box it when invisible.", False),
        ("A pedestrain on foot.", "A pedestrian on foot.", True),
        ("Box only if visible.", "Box only if not visible.", False),
        ("Box only if at least 30% is visible.", "Box only if at least 50% is visible.", False),
        ("include vehicles", "exclude vehicles", False),
        ("heavy motion blur", "heavy motion-blur", True),
    ],
)
def test_rewording_vs_change(before, after, same_meaning):
    assert is_rewording(before, after) is same_meaning


def test_mentions_names_in_any_spelling_but_not_inside_words_or_after_negation():
    assert mentions("a red Traffic Light at night", "traffic_light")
    assert mentions("two vans parked", "van")
    assert not mentions("a caravan", "van")
    assert not mentions("passenger_car", "car")
    assert mentions("not a van", "van") and not mentions("not a van", "van", affirmative=True)


def test_policy_overrides_and_errors():
    assert resolve_policy({"example-added": "MINOR"})["example-added"] is Bump.MINOR
    with pytest.raises(ValueError, match="did you mean 'class-renamed'"):
        resolve_policy({"class-rename": "major"})
    with pytest.raises(ValueError, match="not one of major, minor, patch, none"):
        resolve_policy({"class-renamed": "huge"})
