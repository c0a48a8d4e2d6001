"""collabnet: international research collaboration from OpenAlex data."""

__version__ = "0.1.0"
