"""The survey fixtures (``sv``, ``campaign``, ``ps``) serve the improvement tests too."""
from apps.surveys.tests.conftest import campaign, ps, sv  # noqa: F401
