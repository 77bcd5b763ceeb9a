"""Events with their causes: what happened this turn and why, for the log, the UI and saves."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    turn: int
    quarter: str
    kind: str   # control | shock | technology | talent | policy | market | victory | action
    text: str
    cause: str = ""
    actors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["actors"] = list(self.actors)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(int(data["turn"]), str(data["quarter"]), str(data["kind"]), str(data["text"]),
                   str(data.get("cause", "")), tuple(data.get("actors", ())))

    def __str__(self) -> str:
        return f"{self.quarter} {self.text}" + (f" — because {self.cause}" if self.cause else "")
