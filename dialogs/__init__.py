"""ArchBot's dialogs (botbuilder-dialogs): the edge where conversations take turns."""
