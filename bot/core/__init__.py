"""ArchBot's plain-Python core: knowledge model, loader, text normalizer and router.

Nothing in this package imports botbuilder, so it can be tested in microseconds and kept as-is
if the hosting edges move to another SDK.
"""
