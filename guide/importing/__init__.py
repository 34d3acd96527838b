"""`guide import`: turn a blog's posts, wherever they live, into a guide project that builds.

Sources -> Articles -> selection (filters, order) -> plan (Markdown, images, series checks) -> files.
The work is in `guide.importing.run`; this package file stays empty so that `guide build` never
loads the import-only libraries (trafilatura, markdownify, feedparser).
"""
