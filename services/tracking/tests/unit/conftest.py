import pytest

from motcua_tracking.domain.calendar import WorkingCalendar, build_calendar


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return build_calendar()
