"""The offline plan: run the Pulumi program under the SDK's mock runtime and record everything.

- ``mocks.py``: answers the engine would give (ids, ARNs, caller identity, region)
- ``recorder.py``: a mock monitor that records every resource registration
- ``runner.py``: reads the stack, validates its config, runs ``__main__.py``, returns a ``Plan``
- ``render.py``: the plan as a ``pulumi preview``-like tree, or as the JSON document of
  ``docs/plan-format.md``
"""

# The account a plan pretends to deploy into when the stack allows none: here, not in mocks.py,
# so that building `lake`'s parser (every command, `lake audit` included) never imports pulumi.
DEFAULT_ACCOUNT_ID = "123456789012"
