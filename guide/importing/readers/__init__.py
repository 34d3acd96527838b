"""Import-only readers: one per source shape (WordPress export, feed, saved page, static blog).

Each returns Articles for `guide import`; `guide build` never loads this package. The readers of
post files that the build uses live in `guide.sources`.
"""
