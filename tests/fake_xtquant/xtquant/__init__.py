"""Fake ``xtquant`` package (see ``xtdata.py``).

The real ``xtquant/__init__.py`` queries PyPI on import; this one does nothing, so the
developer switch (this directory first on ``sys.path``) starts offline and instantly.
"""

__version__ = "fake"
