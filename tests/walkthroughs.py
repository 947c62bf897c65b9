"""A small walkthrough over the fixture knowledge base, shared by the loader's and the advisor's
tests: two questions (the second asked only for audio) and three rules."""

SPEECH_WALKTHROUGH = """\
questions:
  - id: input
    ask: What is the input?
    choices:
      - {id: audio, label: Audio, because: you have audio}
      - {id: prompts, label: Prompts, because: you have prompts, means: [llm workflow]}
  - id: jargon
    ask: Any jargon?
    when: {input: audio}
    default: plain
    choices:
      - {id: plain, label: Plain speech, because: the speech is plain}
      - {id: jargon, label: Lots of jargon, because: it is full of jargon}
rules:
  - id: custom
    when: {input: audio, jargon: jargon}
    title: Custom Speech
    recommend: [custom-speech]
    why: Jargon needs a custom model.
  - id: speech
    when: {input: audio}
    title: Speech
    recommend: [speech-service]
    why: Plain speech works out of the box.
  - id: flow
    title: Prompt flow
    recommend: [prompt-flow]
    why: Flows of prompts.
    reference: {title: Prompt flow, url: "https://learn.microsoft.com/azure/ai-studio/"}
"""
