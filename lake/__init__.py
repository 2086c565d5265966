"""The `lake` command line tool: stack configuration, the offline plan, and (later) audits."""

__version__ = "0.1.0"
