"""Widgets of the main screen: the nation panel, generic tables, charts, the event log, the action queue."""
