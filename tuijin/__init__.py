"""推进 Tuijin: the key-project delivery platform of a district government."""

__version__ = "0.1.0"
