"""wirewatch: an auditable event-stream pipeline for news wire feeds (Apache Beam).

The repository root is the ``wirewatch`` package (see setup.py's package_dir), so
the folders read as the architecture: ``pipeline``, ``transforms``, ``schemas``.
"""
__version__ = '0.1.0'
