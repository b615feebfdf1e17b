"""Delivering an accepted inquiry, exactly once per step: the person's confirmation email
(``confirmation``), the care team's notification (``care_team``, ``chat``), and what both
consumers share (``common``: claim-check messages, leases, sorting failures)."""
