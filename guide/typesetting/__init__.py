"""Typesetting a book in parts: laid out apart in worker processes, cached, and merged into one PDF.

`parallel.typeset_in_parts` is the entry point; `guide.typeset` keeps the one-document path.
"""
