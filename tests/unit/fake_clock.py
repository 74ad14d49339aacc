"""A clock for tests of code that is handed ``now`` and ``sleep``: time moves only when slept."""
from datetime import timedelta


class Clock(object):
    """``time()`` is ``start`` plus every sleep so far; ``sleeps`` lists them. A sleep shorter than
    ``least`` fails the test (the cycle never sleeps less than a second)."""

    def __init__(self, start, least=0):
        self.now = start
        self.sleeps = []
        self.least = least

    def time(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= self.least, "slept %r s, less than %r" % (seconds, self.least)
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
