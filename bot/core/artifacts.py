"""What a team keeps from a recommendation: its diagram and its decision record, and the stable
addresses the bot serves them at (`/diagrams/<id>.png|svg`, `/adr/<rule>.md?<answers>`).

A card shows the diagram from the bot's public address when it has one (`ARCHBOT_PUBLIC_URL`);
otherwise the PNG goes inline as a data URI (Adaptive Cards accept them from 1.2 on), which
every client renders without reaching the bot: the Emulator, the Agents Playground and a Web
Chat page opened through a tunnel alike.
"""

from __future__ import annotations

import base64
from typing import Any

from bot.core.adr import decision_record, record_path
from bot.core.advisor import Advisor, Recommendation
from bot.core.diagram import Diagram, diagram_by_id, diagram_of, layout, svg
from bot.core.diagram_png import png

DIAGRAM_PREFIX = "/diagrams/"


class Artifacts:
    """Diagrams and decision records of one knowledge base's walkthrough."""

    def __init__(self, advisor: Advisor, base_url: str, *, public: bool) -> None:
        self.advisor = advisor
        self.base_url = base_url.rstrip("/")
        """Where clients reach the bot: its public address, else the local one."""
        self.public = public
        self._png: dict[str, bytes] = {}

    def diagram(self, recommendation: Recommendation) -> Diagram | None:
        """The recommendation's diagram (None: the knowledge has no diagram data)."""
        walkthrough = self.advisor.walkthrough
        return diagram_of(
            walkthrough, self.advisor.kb.topics, recommendation.rule, recommendation.additions
        )

    def png(self, identifier: str) -> bytes | None:
        """The diagram with this id as PNG (drawn once); None for an unknown id."""
        if identifier not in self._png:
            found = diagram_by_id(self.advisor.walkthrough, self.advisor.kb.topics, identifier)
            if found is None:
                return None
            self._png[identifier] = png(layout(found))
        return self._png[identifier]

    def svg(self, identifier: str) -> str | None:
        """The diagram with this id as SVG; None for an unknown id."""
        found = diagram_by_id(self.advisor.walkthrough, self.advisor.kb.topics, identifier)
        return svg(layout(found)) if found is not None else None

    def diagram_url(self, diagram: Diagram, extension: str = "png") -> str:
        """The diagram's stable address on the bot."""
        return f"{self.base_url}{DIAGRAM_PREFIX}{diagram.id}.{extension}"

    def image_url(self, diagram: Diagram) -> str:
        """What a card's image points at: the public address, else the PNG inline."""
        if self.public:
            return self.diagram_url(diagram)
        data = base64.b64encode(self.png(diagram.id) or b"").decode("ascii")
        return f"data:image/png;base64,{data}"

    def record_url(self, recommendation: Recommendation) -> str:
        """The decision record's stable address on the bot."""
        return f"{self.base_url}{record_path(recommendation)}"

    def record(self, state: dict[str, Any]) -> str:
        """The markdown decision record of a finished walkthrough."""
        recommendation = self.advisor.recommendation(state)
        drawn = self.diagram(recommendation)
        url = self.diagram_url(drawn) if drawn is not None else ""
        alternatives = self.advisor.alternatives(state)
        return decision_record(recommendation, alternatives, drawn, url)
