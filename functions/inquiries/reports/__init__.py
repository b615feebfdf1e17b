"""Reports for the clinic's manager and admins: aggregates kept as inquiries change, never PHI."""
