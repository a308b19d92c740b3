"""State of one `ptoref run`: options, and what every harness run found (for the exit status)."""


class Options:
    def __init__(self):
        self.footprints = []
        self.golden_data_out = None


options = Options()
runs = []  # (outputs matched, a check failed)
timings = []  # (what, seconds)


def record(matched, check_failed):
    runs.append((matched, check_failed))
