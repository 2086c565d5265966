"""The access matrix: who can do what on each zone bucket, under which conditions.

Decisions come from the IAM evaluator (``policies/evaluator``) applied to the lake's own bucket
and key policies and to the identity policies the matrix assumes for each representative
principal (``actors.py``), over a fixed set of request contexts (``scenarios.py``).
"""
