"""Print the configuration table, to paste between the README's ``<!-- config-table:start -->``
and ``<!-- config-table:end -->`` markers: ``python -m lake.config.docs``."""

from lake.config.table import config_table_markdown

if __name__ == "__main__":
    print(config_table_markdown(), end="")
