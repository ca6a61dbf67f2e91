import pytest
import time_machine

from skillcert.accounts.tests.helpers import START


@pytest.fixture
def clock():
    """Time stands still at START until the test moves it (``clock.shift(seconds)``)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
