"""docs/awx.md's AWX schedule rules give the dates they say: read from the page, expanded with python-dateutil."""
import calendar
import datetime
import os
import re

from dateutil import rrule

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "awx.md")
# An AWX schedule's rule on one line: DTSTART with a zone, then the RRULE.
RULE = re.compile(r"^(DTSTART;TZID=[A-Za-z_/]+:\d{8}T\d{6}) (RRULE:\S+)$", re.M)


def rules():
    with open(DOC) as handle:
        found = RULE.findall(handle.read())
    assert len(found) == 2, found
    return found


def dates(rule, year=2027):
    expanded = rrule.rrulestr("\n".join(rule))
    first = expanded[0]
    start = first.replace(year=year, month=1, day=1, hour=0, minute=0)
    return [moment for moment in expanded.between(start, start.replace(year=year + 1), inc=True)]


def second_tuesday(year, month):
    return [day for day in range(1, 15) if calendar.weekday(year, month, day) == calendar.TUESDAY][1]


def test_the_saturday_after_patch_tuesday_for_each_month_of_2027():
    moments = dates(rules()[0])
    assert [(m.month, m.day) for m in moments] == [
        (month, second_tuesday(2027, month) + 4) for month in range(1, 13)]
    assert all(m.weekday() == calendar.SATURDAY and (m.hour, m.minute) == (22, 0) for m in moments)
    # 22:00 Berlin time, winter and summer alike.
    assert {m.utcoffset() for m in moments} == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}


def test_the_often_written_rule_misses_two_months_of_2027():
    """BYMONTHDAY=11..17 finds the Saturday after the first Tuesday when a month starts on a Tuesday."""
    wrong = (rules()[0][0], rules()[0][1].replace("12,13,14,15,16,17,18", "11,12,13,14,15,16,17"))
    moments = dates(wrong)
    missed = [(m.month, m.day) for m in moments if m.day != second_tuesday(2027, m.month) + 4]
    assert missed == [(9, 11), (12, 11)]


def test_the_monthly_restart_only_window_is_the_first_sunday_at_three():
    moments = dates(rules()[1])
    assert len(moments) == 12
    assert all(m.weekday() == calendar.SUNDAY and m.day <= 7 and (m.hour, m.minute) == (3, 0) for m in moments)
    assert [m.day for m in moments] == [3, 7, 7, 4, 2, 6, 4, 1, 5, 3, 7, 5]
