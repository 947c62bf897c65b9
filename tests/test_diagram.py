"""The architecture diagram: drawn from the knowledge's data for every rule, laid out with no
overlapping boxes or labels (checked geometrically) from 3 to 12 components, written as SVG,
PNG and one line of text; the `diagram` section is checked with file and line."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ElementTree

import pytest
from PIL import Image

from bot.core.diagram import (
    SOURCE,
    USER,
    Diagram,
    Layout,
    Node,
    Rect,
    diagram_by_id,
    diagram_of,
    layout,
    svg,
    text,
)
from bot.core.diagram_png import SCALE, png
from bot.core.kb import DiagramComponent, DiagramData, Kind, Rule, Topic, Walkthrough
from bot.core.loader import load_knowledge

from .test_walkthrough_loader import kb_with_walkthrough, problems_of
from .walkthroughs import SPEECH_WALKTHROUGH

GAP = 4.0
"""Boxes and labels must stand at least this far apart (pixels)."""


# -- geometry ------------------------------------------------------------------------------------


def apart(a: Rect, b: Rect, gap: float = 0.0) -> bool:
    return (
        a[0] + a[2] + gap <= b[0]
        or b[0] + b[2] + gap <= a[0]
        or a[1] + a[3] + gap <= b[1]
        or b[1] + b[3] + gap <= a[1]
    )


def inside(inner: Rect, outer: Rect, margin: float = 0.0) -> bool:
    return (
        outer[0] + margin <= inner[0]
        and inner[0] + inner[2] <= outer[0] + outer[2] - margin
        and outer[1] + margin <= inner[1]
        and inner[1] + inner[3] <= outer[1] + outer[3] - margin
    )


def crosses(start, end, rect: Rect) -> bool:
    """True when the segment passes through the rectangle's inside (sampled finely)."""
    x, y, w, h = rect
    steps = 200
    for i in range(1, steps):
        px = start[0] + (end[0] - start[0]) * i / steps
        py = start[1] + (end[1] - start[1]) * i / steps
        if x + 1 < px < x + w - 1 and y + 1 < py < y + h - 1:
            return True
    return False


def assert_readable(drawn: Layout) -> None:
    """No two boxes or labels overlap, every label sits inside its box, the title stays clear
    of the boxes, everything is on the canvas and no arrow runs through a box."""
    canvas = (0.0, 0.0, drawn.width, drawn.height)
    boxes = [b.rect for b in drawn.boxes]
    labels = [r for b in drawn.boxes for r in b.line_rects] + list(drawn.title_rects)
    for a, b in itertools.combinations(boxes, 2):
        assert apart(a, b, GAP), (drawn.diagram.id, a, b)
    for a, b in itertools.combinations(labels, 2):
        assert apart(a, b), (drawn.diagram.id, a, b)
    for box in drawn.boxes:
        assert box.lines, box.node
        assert " ".join(box.lines) == " ".join(box.node.label.split())
        for rect in box.line_rects:
            assert inside(rect, box.rect, 2.0), (box.node.label, rect, box.rect)
    for rect in (*boxes, *drawn.title_rects):
        assert inside(rect, canvas), rect
    for title in drawn.title_rects:
        assert all(apart(title, box, GAP) for box in boxes)
    ends = {
        (round(a.start[0]), round(a.start[1]), round(a.end[0]), round(a.end[1]))
        for a in drawn.arrows
    }
    assert len(ends) == len(drawn.arrows), "two arrows drawn on top of each other"
    for arrow in drawn.arrows:
        for box in boxes:
            assert not crosses(arrow.start, arrow.end, box), (drawn.diagram.id, arrow, box)


# -- the real knowledge ----------------------------------------------------------------------------


def every_diagram(kb) -> list[Diagram]:
    """Each rule alone and with each addition that adds services (what users can see)."""
    walkthrough = kb.walkthrough
    found = []
    for rule in walkthrough.rules:
        found.append(diagram_of(walkthrough, kb.topics, rule))
        for addition in walkthrough.additions:
            if addition.recommend:
                found.append(diagram_of(walkthrough, kb.topics, rule, [addition]))
    return found


def test_every_rule_is_drawn_with_each_of_its_services_and_its_ends(kb):
    walkthrough = kb.walkthrough
    for rule in walkthrough.rules:
        drawn = diagram_of(walkthrough, kb.topics, rule)
        assert drawn is not None and drawn.id == rule.id
        assert {n.id for n in drawn.nodes} == {SOURCE, USER, *rule.recommend}
        assert drawn.stages[0] == (SOURCE,) and drawn.stages[-1] == (USER,)
        hosts = {n.host for n in drawn.nodes if n.host}
        assert hosts <= {n for column in drawn.stages for n in column}
        line = text(drawn)
        for node in drawn.nodes:
            assert node.label in line


def test_every_diagram_of_the_knowledge_is_readable(kb):
    for drawn in every_diagram(kb):
        assert_readable(layout(drawn))


def test_the_ends_come_from_the_answers_a_rule_needs(kb):
    walkthrough = kb.walkthrough
    rules = {r.id: r for r in walkthrough.rules}
    speech = diagram_of(walkthrough, kb.topics, rules["speech-custom"])
    assert speech.node(SOURCE).label == "Audio and calls"
    assert speech.node(USER).label == "Your apps"
    assert text(speech) == "Audio and calls → Custom Speech → Azure AI Speech → Your apps"


def test_a_stable_id_names_one_diagram_and_unknown_ids_none(kb):
    walkthrough = kb.walkthrough
    rule = next(r for r in walkthrough.rules if r.id == "rag-on-azure-openai")
    cost = next(a for a in walkthrough.additions if a.id == "cost")
    drawn = diagram_of(walkthrough, kb.topics, rule, [cost])
    assert drawn.id == "rag-on-azure-openai+cost"
    assert diagram_by_id(walkthrough, kb.topics, drawn.id) == drawn
    privacy = next(a for a in walkthrough.additions if a.id == "privacy")
    assert diagram_of(walkthrough, kb.topics, rule, [privacy]).id == rule.id  # adds no service
    for unknown in ("nope", "rag-on-azure-openai+nope", "rag-on-azure-openai+privacy", ""):
        assert diagram_by_id(walkthrough, kb.topics, unknown) is None


def test_svg_is_well_formed_and_png_is_the_same_picture(kb):
    rule = next(r for r in kb.walkthrough.rules if r.id == "ml-deep-learning")
    drawn = layout(diagram_of(kb.walkthrough, kb.topics, rule))
    root = ElementTree.fromstring(svg(drawn))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    texts = [t.text for t in root.iter(f"{ns}text")]
    for box in drawn.boxes:
        assert all(line in texts for line in box.lines)
    assert len(list(root.iter(f"{ns}rect"))) == len(drawn.boxes) + 1  # the background
    dashed = [line for line in root.iter(f"{ns}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2  # hyperparameter tuning and MLflow beside Azure Machine Learning
    image = Image.open(io.BytesIO(png(drawn)))
    assert image.format == "PNG"
    assert image.size == (round(drawn.width * SCALE), round(drawn.height * SCALE))


# -- from 3 to 12 components ---------------------------------------------------------------

STAGES = ("source", "ingest", "store", "prepare", "train", "index", "model", "app", "user")
LONG = "Azure AI Document Intelligence custom extraction and classification models"


def synthetic(sizes: tuple[int, ...], beside: int, long: bool) -> tuple[Walkthrough, dict, Rule]:
    """A walkthrough whose one rule recommends `sizes[i]` services in the i-th middle stage,
    the first `beside` of them drawn beside the stage's first service."""
    topics: dict[str, Topic] = {}
    components: dict[str, DiagramComponent] = {}
    recommend = []
    for stage, size in zip(STAGES[1:-1], sizes, strict=False):
        first = None
        for index in range(size):
            topic_id = f"{stage}-{index}"
            title = LONG if long and index == 0 else f"Service {stage} {index}"
            topics[topic_id] = Topic(topic_id, title, Kind.SERVICE, ".", (), ())
            hosted = (first,) if first and index <= beside else ()
            components[topic_id] = DiagramComponent(topic_id, stage, hosted)
            first = first or topic_id
            recommend.append(topic_id)
    rule = Rule(id="synthetic", title=LONG + " on a platform", recommend=tuple(recommend), why=".")
    data = DiagramData(stages=STAGES, components=components)
    return Walkthrough(questions=(), rules=(rule,), diagram=data), topics, rule


SHAPES = [
    (1,),
    (1, 1, 1),
    (3,),
    (2, 2),
    (1, 2, 3, 1),
    (4, 4, 2),
    (1, 1, 1, 1, 1, 1, 1),
    (3, 3, 3, 1),
    (2, 1, 2, 1, 2, 1, 1),
    (10,),
]


@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("beside", [0, 1, 2])
@pytest.mark.parametrize("long", [False, True])
def test_from_3_to_12_components_no_box_or_label_overlaps(sizes, beside, long):
    walkthrough, topics, rule = synthetic(sizes, beside, long)
    drawn = diagram_of(walkthrough, topics, rule)
    assert 3 <= len(drawn.nodes) <= 12
    assert_readable(layout(drawn))


def test_a_node_beside_a_missing_host_stands_in_its_stage():
    walkthrough, topics, _ = synthetic((2, 1), 1, False)
    alone = Rule(id="alone", title="t", recommend=("ingest-1",), why=".")
    drawn = diagram_of(walkthrough, topics, alone)
    assert drawn.node("ingest-1") == Node("ingest-1", "Service ingest 1", "ingest")
    assert drawn.stages == ((SOURCE,), ("ingest-1",), (USER,))


# -- the data --------------------------------------------------------------------------------------

DIAGRAM = """\
diagram:
  stages: [source, model, user]
  components:
    custom-speech: {stage: model}
    speech-service: {stage: model, beside: [custom-speech], label: Speech}
    prompt-flow: {stage: model}
  ends:
    input:
      audio: {source: Recordings}
"""


def test_the_diagram_section_loads(tmp_path):
    kb = load_knowledge(kb_with_walkthrough(tmp_path, SPEECH_WALKTHROUGH + DIAGRAM))
    data = kb.walkthrough.diagram
    assert data.stages == ("source", "model", "user")
    assert data.components["speech-service"].beside == ("custom-speech",)
    assert data.ends[("input", "audio")] == ("Recordings", "")
    speech = next(r for r in kb.walkthrough.rules if r.id == "speech")
    assert text(diagram_of(kb.walkthrough, kb.topics, speech)) == "Recordings → Speech → Users"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "custom-speech: {stage: model}",
            "custom-speech: {stage: modle}",
            "walkthrough.yaml:{line}: walkthrough 'diagram' component 'custom-speech': unknown "
            "stage 'modle' (stages: model, source, user)",
        ),
        (
            "prompt-flow: {stage: model}",
            "prompt-flaw: {stage: model}",
            "walkthrough.yaml:{line}: walkthrough 'diagram': 'components' names unknown topic "
            "'prompt-flaw'",
        ),
        (
            "beside: [custom-speech]",
            "beside: [custom-speach]",
            "walkthrough.yaml:{line}: walkthrough 'diagram' component 'speech-service': 'beside' "
            "names unknown topic 'custom-speach'",
        ),
        (
            "audio: {source: Recordings}",
            "audoi: {source: Recordings}",
            "walkthrough.yaml:{line}: walkthrough 'diagram': 'ends' names unknown choice 'audoi' "
            "of question 'input' (choices: audio, prompts)",
        ),
        (
            "audio: {source: Recordings}",
            "audio: {sauce: Recordings}",
            "walkthrough.yaml:{line}: unknown key 'sauce' in walkthrough 'diagram' 'ends' 'input' "
            "'audio'",
        ),
    ],
)
def test_mistakes_in_the_diagram_section_are_errors_with_lines(tmp_path, old, new, expected):
    text_ = (SPEECH_WALKTHROUGH + DIAGRAM).replace(old, new)
    line = next(i for i, row in enumerate(text_.splitlines(), 1) if new in row)
    problems = problems_of(kb_with_walkthrough(tmp_path, text_))
    assert f"knowledge/{expected.format(line=line)}" in problems


def test_a_recommended_topic_with_no_component_is_an_error(tmp_path):
    broken = (SPEECH_WALKTHROUGH + DIAGRAM).replace("    prompt-flow: {stage: model}\n", "")
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if row == "diagram:")
    problems = problems_of(kb_with_walkthrough(tmp_path, broken))
    assert problems == [
        f"knowledge/walkthrough.yaml:{line}: walkthrough 'diagram': rule 'flow' recommends "
        "'prompt-flow', which has no entry in 'components' (its stage in the diagram)"
    ]
