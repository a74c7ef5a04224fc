"""Photoscope: offline photo-library search built on one small caption network."""

__version__ = "0.1.0"
