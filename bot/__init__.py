"""ArchBot: a Bot Framework bot that helps engineers choose Azure AI and data services."""

__version__ = "0.1.0"
