"""A recommendation's diagram and decision record over real HTTP: the card's image, the file
behind "Export decision record" fetched from the address the bot gave, the stable
/diagrams/<id>.png|svg addresses, and clear 4xx for addresses that name nothing."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

import pytest

from .conftest import REAL_KNOWLEDGE, new_conversation_id

pytestmark = pytest.mark.e2e

PATH = [
    "help me pick an architecture",
    "Generative AI app or chatbot (retrieval, copilots)",
    "Answer from our own documents and data (retrieval, RAG)",
    "Databases, SharePoint or file shares",
    "Developers who write code",
    "Heavy traffic and high availability",
]
RECORD = "/adr/rag-on-azure-openai.md"


@pytest.fixture(scope="module")
def server(archbot_module_factory):
    return archbot_module_factory(knowledge=REAL_KNOWLEDGE)


async def test_the_card_shows_the_diagram_and_the_record_downloads_from_the_bot(
    server, talk_to, http
):
    bot = talk_to(server)
    conversation = new_conversation_id("artifacts")
    for text in PATH:
        replies = await bot.ask(text, conversation=conversation, channel="webchat")
    [card] = [
        a["content"]
        for m in replies.messages
        for a in m.get("attachments") or []
        if a["contentType"] == "application/vnd.microsoft.card.adaptive"
    ]
    [image] = [e for e in card["body"] if e.get("type") == "Image"]
    inline = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
    async with http.get(f"{server.base_url}/diagrams/rag-on-azure-openai+scale.png") as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == inline  # the same picture, inline and at its address
    assert "Export decision record" in replies.buttons

    replies = await bot.ask("Export decision record", conversation=conversation, channel="webchat")
    [file] = [
        a
        for m in replies.messages
        for a in m.get("attachments") or []
        if a["contentType"] == "text/markdown"
    ]
    assert file["name"] == "adr-rag-on-azure-openai.md"
    assert file["contentUrl"].startswith(f"{server.base_url}{RECORD}?goal=genai&")
    async with http.get(file["contentUrl"]) as response:
        assert response.status == 200
        assert response.content_type == "text/markdown"
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="adr-rag-on-azure-openai.md"'
        )
        record = await response.text()
    assert record.startswith("# RAG on Azure OpenAI with Azure AI Search\n")
    assert "It must handle heavy traffic." in record
    assert f"{server.base_url}/diagrams/rag-on-azure-openai+scale.png" in record


async def test_diagrams_are_served_as_svg_too(server, http):
    async with http.get(f"{server.base_url}/diagrams/speech-custom.svg") as response:
        assert response.status == 200
        assert response.content_type == "image/svg+xml"
        root = ElementTree.fromstring(await response.text())
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Custom Speech" in texts and "Audio and calls" in texts


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/diagrams/nope.png", 404, "no diagram 'nope'"),
        ("/diagrams/speech-custom.gif", 404, "no such diagram"),
        ("/diagrams/..%2F..%2Fetc%2Fpasswd.png", 404, "no such diagram"),
        ("/diagrams/speech-custom+privacy.png", 404, "no diagram 'speech-custom+privacy'"),
        ("/adr/nope.md?goal=genai", 404, "no recommendation 'nope'"),
        ("/adr/raw-storage.txt", 404, "no such record"),
        ("/adr/raw-storage.md?goal=cake", 400, "unknown answer 'cake' to question 'goal'"),
        ("/adr/raw-storage.md?goal=data", 400, "these answers do not decide a recommendation"),
        (
            "/adr/raw-storage.md?goal=data&data-job=ingest&platform=fabric",
            400,
            "these answers lead to 'data-ingestion', not 'raw-storage'",
        ),
        ("/adr/raw-storage.md?goal=data&goal=ml", 400, "'goal' is given more than once"),
        (
            "/adr/raw-storage.md?goal=ml&data-job=store",
            400,
            "these answers do not go together",
        ),
    ],
)
async def test_addresses_that_name_nothing_get_a_clear_4xx(server, http, path, status, message):
    async with http.get(server.base_url + path) as response:
        assert response.status == status
        body = await response.json()
    assert message in body["error"]["message"]


async def test_a_record_address_can_carry_the_teams_words(server, http):
    said = quote("we keep raw sensor files\nnot adopting Fabric")
    query = f"goal=data&data-job=store&platform=azure-storage&said={said}"
    async with http.get(f"{server.base_url}/adr/raw-storage.md?{query}") as response:
        assert response.status == 200
        record = await response.text()
    assert "> we keep raw sensor files\n\n> not adopting Fabric\n" in record
