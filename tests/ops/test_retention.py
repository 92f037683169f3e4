"""Retention of backups: which to keep under "daily,weekly,monthly" (pure, no database)."""

from datetime import datetime, timedelta

import pytest

from hrsuite.ops.retention import Scheme, plan


def nightly(first: datetime, days: int) -> dict[int, datetime]:
    """One backup a night at 01:30 for `days` nights; key = day number (0 = first)."""
    return {i: first + timedelta(days=i) for i in range(days)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7,4,12", Scheme(7, 4, 12)),
        (" 14 , 0 ,6 ", Scheme(14, 0, 6)),
        ("0,0,0", Scheme(0, 0, 0)),
    ],
)
def test_scheme_parses(text, expected):
    assert Scheme.parse(text) == expected


@pytest.mark.parametrize("text", ["7,4", "7,4,12,1", "a,b,c", "-1,4,12", "7.5,4,12", ""])
def test_scheme_refuses_bad_text(text):
    with pytest.raises(ValueError, match="daily,weekly,monthly"):
        Scheme.parse(text)


START = datetime(2025, 1, 1, 1, 30)  # a Wednesday


@pytest.mark.parametrize(
    ("backups", "scheme", "kept"),
    [
        # nothing to keep or prune
        ({}, Scheme(7, 4, 12), set()),
        # 7 dailies out of 30 nights: the 7 newest
        (nightly(START, 30), Scheme(7, 0, 0), set(range(23, 30))),
        # 0,0,0 still keeps the newest backup
        (nightly(START, 5), Scheme(0, 0, 0), {4}),
        # weekly: the newest of each of the 4 newest ISO weeks. Day 29 is Thu 30 Jan (week 5);
        # the Sundays 26, 19 and 12 Jan are days 25, 18 and 11.
        (nightly(START, 30), Scheme(0, 4, 0), {29, 25, 18, 11}),
        # monthly over 70 nights (1 Jan .. 11 Mar): newest of March, February, January
        (nightly(START, 70), Scheme(0, 0, 3), {69, 58, 30}),
        # monthly asks for 12 but only 3 months exist: all three kept, nothing invented
        (nightly(START, 70), Scheme(0, 0, 12), {69, 58, 30}),
        # the default scheme on 70 nights: 7 dailies (63..69), weeks ending on Sundays
        # (days 67 = 9 Mar, 60 = 2 Mar, 53 = 23 Feb; day 69 is in week 11), months (58, 30)
        (nightly(START, 70), Scheme(7, 4, 12), set(range(63, 70)) | {60, 53, 58, 30}),
    ],
)
def test_plan(backups, scheme, kept):
    keep, prune = plan(backups, scheme)
    assert keep == kept
    assert prune == set(backups) - kept


def test_newest_of_a_day_wins():
    backups = {
        "early": datetime(2025, 5, 1, 1, 30),
        "manual": datetime(2025, 5, 1, 15, 0),
        "before": datetime(2025, 4, 30, 1, 30),
    }
    keep, prune = plan(backups, Scheme(1, 0, 0))
    assert keep == {"manual"}
    assert prune == {"early", "before"}


def test_a_pause_in_backups_does_not_delete_the_last_good_ones():
    # backups stopped three weeks ago: the 7 dailies are the 7 newest that exist
    backups = nightly(START, 20)
    keep, _prune = plan(backups, Scheme(7, 0, 0))
    assert keep == set(range(13, 20))


def test_order_of_input_does_not_matter():
    backups = nightly(START, 40)
    shuffled = dict(reversed(list(backups.items())))
    assert plan(backups, Scheme(7, 4, 12)) == plan(shuffled, Scheme(7, 4, 12))
