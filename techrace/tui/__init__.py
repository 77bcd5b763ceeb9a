"""The terminal face: `techrace play` and `techrace observe`, a Textual app over the core's Game API.

Nothing here is imported by the core; the core and Textual are imported lazily so that the launcher
and `techrace --help` stay fast.
"""
