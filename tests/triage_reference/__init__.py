"""A frozen copy of triage's scoring as it was before it was made cheaper (main at ``2ded612``).

``tests/unit/test_triage_scoring_guard.py`` reads every corpus message with this copy and with the shipped
``inquiries.triage`` and requires the same level, categories, rule ids, language and model scores (within
1e-9). The copy is the plain, slower reading: its modules are ``inquiries.triage``'s ``text``, ``language``,
``rules``, ``features``, ``model`` and ``reader`` as they were, imports pointed here. Do not optimise it;
when the rules' or the model's *meaning* changes on purpose (a new feature kind, a new modifier), change it
here the same way, in the plain form.
"""
