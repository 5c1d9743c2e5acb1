"""plainsight: find and act on modern slavery and human trafficking hidden in plain sight."""

__version__ = "0.1.0"
