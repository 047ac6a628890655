"""The command line: python -m core demo | import | flags | indicators | ..."""
