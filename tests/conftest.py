"""Test configuration: hypothesis profiles.

``ci`` (selected when the CI environment variable is set) is derandomized so a
run is reproducible; ``dev`` explores new examples each run; ``fuzz`` is the
long profile for the random-graph fuzzer (HYPOTHESIS_PROFILE=fuzz).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=40, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", deadline=None, max_examples=40, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=3000, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _IN_CI else "dev"))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Say whether the browser tests ran (CI's log must show they were not skipped)."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped"):
        reports = [r for r in terminalreporter.stats.get(outcome, []) if "browser" in getattr(r, "keywords", {})]
        counts[outcome] = len({r.nodeid for r in reports})
    if any(counts.values()):
        summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        terminalreporter.write_line(f"browser tests (headless Chromium): {summary}")
