"""Rules read from the corpus: cost eligibility and ledgers, Estonian working days and deadlines,
admission of applications.

Enters: a ``law.Law`` and questions (costs, triggers, applications). Leaves: verdicts and due dates
with their citations.
"""
