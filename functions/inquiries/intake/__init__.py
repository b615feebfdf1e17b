"""Accepting an inquiry: the HTTP edge (``api``), the decisions and commit point (``service``),
limits (``rate_limit``), claim-check dispatch (``dispatch``) and its safety net (``redispatch``)."""
