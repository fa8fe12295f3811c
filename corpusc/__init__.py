"""corpusc — a compiler for `.corpus` specs of synthetic sales and contact-center calls."""

__version__ = "0.1.0"
