"""The inspection and rectification helpers, for the tests of what items print."""
from tests.inspections.conftest import kit  # noqa: F401
from tests.rectification.conftest import rect  # noqa: F401
