"""Hosting: the aiohttp app, the Bot Framework adapter and its connectors, the runtime wiring."""
