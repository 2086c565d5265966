"""Policy as code for the lake (rules, the CrossGuard policy pack, offline and live audits).

The rule set arrives with the policy issue; until then the program's own tests check the
generated documents (tests/test_documents_*.py).
"""
