"""Stand-ins for Beam's state and timer parameters, to drive a stateful DoFn by hand
(its process and on-timer methods called directly, without a runner)."""


class FakeValue:
    """ReadModifyWriteState."""

    def __init__(self):
        self.value = None

    def read(self):
        return self.value

    def write(self, value):
        self.value = value

    def clear(self):
        self.value = None


class FakeBag:
    """BagState."""

    def __init__(self):
        self.values = []

    def read(self):
        return list(self.values)

    def add(self, value):
        self.values.append(value)

    def clear(self):
        self.values = []


class FakeTimer:
    """A timer: remembers the time it was last set to."""

    def __init__(self):
        self.at = None

    def set(self, timestamp):
        self.at = timestamp
