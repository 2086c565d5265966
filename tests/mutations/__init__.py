"""The mutation corpus: misconfigurations of the lake, each naming the rules that must catch it.

``plan_corpus.py`` mutates the recorded dev and prod plans (the offline plan's JSON document);
the live corpus is the one-edit-at-a-time cases of ``tests/live/test_misconfigurations.py``,
made with boto3 on the dev lake deployed onto moto. ``python -m tests.mutations`` runs both and
writes the recall report into docs/assurance.md; ``pytest -m mutation`` runs them as tests.
"""
