"""The architecture diagram of a recommendation, drawn from the knowledge's `diagram` data.

`diagram_of` picks the boxes: the data's first box (what goes in), each recommended service in
its stage, the last box (who gets the result); every box of one stage feeds every box of the
next stage that has one, and a service `beside` another is drawn right of it, joined by a dashed
line.
`layout` places them in rows, top to bottom, measuring every label with the font the PNG is
drawn with (Pillow's built-in one) and wrapping it with room to spare for a browser's wider
sans-serif. `svg` writes the layout as SVG, `text` as one line for a terminal.

A diagram's id is its rule's id, then `+` and each addition that adds services: the same id
always draws the same diagram, so `/diagrams/<id>.png` is a stable address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from PIL import ImageFont

from bot.core.kb import Addition, DiagramData, Rule, Topic, Walkthrough

SOURCE = "source"
USER = "user"
FONT_SIZE = 13
TITLE_SIZE = 15
LINE_HEIGHT = 17
TITLE_LINE_HEIGHT = 20
BOX_WIDTH = 150
PADDING = 10
WRAP_SLACK = 1.25
"""Labels are wrapped as if this much wider than measured: a browser drawing the SVG with its
own sans-serif still fits them in their boxes."""
BOX_GAP = 28
ROW_GAP = 36
MARGIN = 16
MIN_WIDTH = 360
FONT_FAMILY = "'Segoe UI', Helvetica, Arial, sans-serif"
_FILLS = ("#e8f1fb", "#e6f4ea", "#fef7e0", "#f3e8fd", "#e0f7fa", "#fce8e6", "#f1f3f4")
_STROKES = ("#1a73e8", "#188038", "#b06000", "#8430ce", "#00838f", "#c5221f", "#5f6368")
ENDS_FILL = "#f1f3f4"
ENDS_STROKE = "#5f6368"

Rect = tuple[float, float, float, float]
"""x, y, width, height."""
Point = tuple[float, float]


@dataclass(frozen=True)
class Node:
    """One box: a recommended topic, or the first or last box."""

    id: str
    label: str
    stage: str
    host: str | None = None
    """The box this one is drawn beside (`beside`), None on the main line."""


@dataclass(frozen=True)
class Diagram:
    """The boxes and arrows of one recommendation."""

    id: str
    title: str
    nodes: tuple[Node, ...]
    stages: tuple[tuple[str, ...], ...]
    """The main line's node ids, stage by stage in data-flow order (the layout's rows)."""
    edges: tuple[tuple[str, str], ...]
    """Data flow (from, to) between consecutive stages."""

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        return next(n for n in self.nodes if n.id == node_id)

    def beside(self, node_id: str) -> tuple[Node, ...]:
        """The nodes drawn beside `node_id`."""
        return tuple(n for n in self.nodes if n.host == node_id)


@dataclass(frozen=True)
class Box:
    """A node placed: its rectangle and its label's lines."""

    node: Node
    rect: Rect
    lines: tuple[str, ...]
    line_rects: tuple[Rect, ...]
    """Where each label line's text stands (as measured)."""
    row: int


@dataclass(frozen=True)
class Arrow:
    """Data flowing from one box to another; dashed: a box and one beside it."""

    start: Point
    end: Point
    dashed: bool


@dataclass(frozen=True)
class Layout:
    """A diagram placed on a canvas, in pixels."""

    diagram: Diagram
    width: float
    height: float
    title: tuple[str, ...]
    title_rects: tuple[Rect, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]


# -- which boxes ---------------------------------------------------------------------------------


def diagram_id(rule: Rule, additions: Sequence[Addition]) -> str:
    """The stable id: the rule's, then each addition that adds services."""
    return "+".join([rule.id, *(a.id for a in additions if a.recommend)])


def _ends(data: DiagramData, walkthrough: Walkthrough, rule: Rule) -> tuple[str, str]:
    """The first and last boxes' labels: from the answers the rule needs, the latest wins."""
    source, user = data.source, data.user
    needs = dict(rule.when[0]) if rule.when else {}
    for question in walkthrough.questions:
        choices = needs.get(question.id, frozenset())
        if len(choices) != 1:
            continue
        said_source, said_user = data.ends.get((question.id, next(iter(choices))), ("", ""))
        source, user = said_source or source, said_user or user
    return source, user


def diagram_of(
    walkthrough: Walkthrough,
    topics: Mapping[str, Topic],
    rule: Rule,
    additions: Sequence[Addition] = (),
) -> Diagram | None:
    """The diagram of a rule's recommendation with these additions (None: no diagram data)."""
    data = walkthrough.diagram
    if data is None:
        return None
    services = list(dict.fromkeys([*rule.recommend, *(t for a in additions for t in a.recommend)]))
    components = {t: data.components[t] for t in services if t in data.components}
    hosted = {
        t: next((h for h in c.beside if h in components and h != t), None)
        for t, c in components.items()
    }
    main = [t for t in components if hosted[t] is None or hosted[hosted[t]] is not None]
    source, user = _ends(data, walkthrough, rule)
    nodes = [Node(SOURCE, source, SOURCE)]
    for topic_id, component in components.items():
        host = None if topic_id in main else hosted[topic_id]
        label = component.label or topics[topic_id].title
        nodes.append(Node(topic_id, label, component.stage, host))
    nodes.append(Node(USER, user, USER))
    order = [SOURCE, *(s for s in data.stages if s not in (SOURCE, USER)), USER]
    stages = tuple(
        stage_ids
        for stage in order
        if (stage_ids := tuple(n.id for n in nodes if n.stage == stage and n.host is None))
    )
    edges = tuple((a, b) for left, right in pairwise(stages) for a in left for b in right)
    return Diagram(diagram_id(rule, additions), rule.title, tuple(nodes), stages, edges)


def diagram_by_id(
    walkthrough: Walkthrough, topics: Mapping[str, Topic], identifier: str
) -> Diagram | None:
    """The diagram a stable id names; None for an id that names no rule or addition."""
    rule_id, *addition_ids = identifier.split("+")
    rule = next((r for r in walkthrough.rules if r.id == rule_id), None)
    by_id = {a.id: a for a in walkthrough.additions if a.recommend}
    if rule is None or any(a not in by_id for a in addition_ids):
        return None
    diagram = diagram_of(walkthrough, topics, rule, [by_id[a] for a in addition_ids])
    return diagram if diagram is not None and diagram.id == identifier else None


# -- where they go -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at this size: what labels are measured and drawn with."""
    return ImageFont.load_default(size=size)


def measure(text: str, size: int = FONT_SIZE) -> float:
    """The width of `text` in pixels."""
    return float(font(size).getlength(text))


def wrap(text: str, width: float, size: int = FONT_SIZE) -> tuple[str, ...]:
    """`text` in lines of at most `width` (with `WRAP_SLACK` to spare); a longer word stands
    alone."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}", size) * WRAP_SLACK <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return tuple(lines)


def _text_rects(lines: tuple[str, ...], center: float, top: float, size: int, height: float):
    return tuple(
        (center - measure(line, size) / 2, top + i * height, measure(line, size), height)
        for i, line in enumerate(lines)
    )


def layout(diagram: Diagram) -> Layout:
    """Stages top to bottom, one row each, its boxes side by side and centred (a `beside` box
    right of its host), arrows from a box's bottom to the next row's tops: narrow enough to be
    read in a chat card on a phone."""
    inner = BOX_WIDTH - 2 * PADDING
    labels = {n.id: wrap(n.label, inner) for n in diagram.nodes}
    box_height = 2 * PADDING + LINE_HEIGHT * max(2, *(len(lines) for lines in labels.values()))
    rows = [
        [n for node_id in column for n in (diagram.node(node_id), *diagram.beside(node_id))]
        for column in diagram.stages
    ]
    widest = max(len(row) for row in rows) * (BOX_WIDTH + BOX_GAP) - BOX_GAP
    width = max(MIN_WIDTH, 2 * MARGIN + widest)
    title = wrap(diagram.title, width - 2 * MARGIN, TITLE_SIZE)
    title_rects = tuple(
        (MARGIN, MARGIN + i * TITLE_LINE_HEIGHT, measure(line, TITLE_SIZE), TITLE_LINE_HEIGHT)
        for i, line in enumerate(title)
    )
    y = MARGIN + len(title) * TITLE_LINE_HEIGHT + ROW_GAP / 2
    boxes: list[Box] = []
    for index, row in enumerate(rows):
        x = (width - (len(row) * (BOX_WIDTH + BOX_GAP) - BOX_GAP)) / 2
        for node in row:
            lines = labels[node.id]
            text_top = y + (box_height - len(lines) * LINE_HEIGHT) / 2
            rects = _text_rects(lines, x + BOX_WIDTH / 2, text_top, FONT_SIZE, LINE_HEIGHT)
            boxes.append(Box(node, (x, y, BOX_WIDTH, box_height), lines, rects, index))
            x += BOX_WIDTH + BOX_GAP
        y += box_height + ROW_GAP
    placed = {b.node.id: b.rect for b in boxes}
    arrows: list[Arrow] = [
        Arrow(_bottom(placed[a]), _top(placed[b]), dashed=False) for a, b in diagram.edges
    ]
    arrows += [  # a dashed line from the box on its left: its host, or the host's other one
        Arrow(_right(left.rect), _left(right.rect), dashed=True)
        for left, right in pairwise(boxes)
        if right.node.host is not None
    ]
    height = y - ROW_GAP + MARGIN
    return Layout(diagram, width, height, title, title_rects, tuple(boxes), tuple(arrows))


def _right(rect: Rect) -> Point:
    return (rect[0] + rect[2], rect[1] + rect[3] / 2)


def _left(rect: Rect) -> Point:
    return (rect[0], rect[1] + rect[3] / 2)


def _bottom(rect: Rect) -> Point:
    return (rect[0] + rect[2] / 2, rect[1] + rect[3])


def _top(rect: Rect) -> Point:
    return (rect[0] + rect[2] / 2, rect[1])


def colours(box: Box) -> tuple[str, str]:
    """(fill, stroke) of a box: grey for the first and last, one colour per row else."""
    if box.node.stage in (SOURCE, USER):
        return ENDS_FILL, ENDS_STROKE
    index = (box.row - 1) % len(_FILLS)
    return _FILLS[index], _STROKES[index]


# -- how they are written ------------------------------------------------------------------------


def svg(drawn: Layout) -> str:
    """The layout as a standalone SVG document."""
    w, h = round(drawn.width), round(drawn.height)
    title = escape(drawn.diagram.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label={quoteattr(drawn.diagram.title)}>',
        f"<title>{title}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5f6368"/></marker></defs>',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        f'<g font-family="{FONT_FAMILY}" fill="#202124">',
    ]
    for line, rect in zip(drawn.title, drawn.title_rects, strict=True):
        baseline = rect[1] + TITLE_SIZE
        parts.append(
            f'<text x="{rect[0]:.1f}" y="{baseline:.1f}" font-size="{TITLE_SIZE}" '
            f'font-weight="600">{escape(line)}</text>'
        )
    for arrow in drawn.arrows:
        dash = ' stroke-dasharray="5 4"' if arrow.dashed else ' marker-end="url(#arrow)"'
        parts.append(
            f'<line x1="{arrow.start[0]:.1f}" y1="{arrow.start[1]:.1f}" '
            f'x2="{arrow.end[0]:.1f}" y2="{arrow.end[1]:.1f}" stroke="#5f6368" '
            f'stroke-width="1.5"{dash}/>'
        )
    for box in drawn.boxes:
        fill, stroke = colours(box)
        x, y, bw, bh = box.rect
        dash = ' stroke-dasharray="5 4"' if box.node.host else ""
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
        )
        for line, rect in zip(box.lines, box.line_rects, strict=True):
            baseline = rect[1] + FONT_SIZE
            parts.append(
                f'<text x="{x + bw / 2:.1f}" y="{baseline:.1f}" font-size="{FONT_SIZE}" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
    parts += ["</g>", "</svg>"]
    return "\n".join(parts) + "\n"


def text(diagram: Diagram) -> str:
    """The diagram in one line: stages joined by arrows, a stage's boxes by "+", boxes drawn
    beside another in brackets after it."""

    def label(node_id: str) -> str:
        node = diagram.node(node_id)
        beside = diagram.beside(node_id)
        extra = f" (with {', '.join(n.label for n in beside)})" if beside else ""
        return node.label + extra

    return " → ".join(" + ".join(label(n) for n in column) for column in diagram.stages)
