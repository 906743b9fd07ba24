from apps.tickets.tests.helpers import policies  # noqa: F401 - the deadline-policy fixture of the ticket tests
