"""An IAM policy evaluator: Allow, explicit Deny or implicit deny, with AWS semantics.

See ``evaluate.py`` for the scope (what AWS evaluates that this does not) and ``request.py`` for
the inputs and the decision.
"""
