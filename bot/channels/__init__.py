"""Channels: what is particular to Teams and to Direct Line / web chat; the cards all render."""
