"""`archbot adr`: the decision record in the terminal, from a description and answers."""

from __future__ import annotations

from bot.operations.cli import main

RAG = "we're five web developers and want a chatbot that answers from our SharePoint documents"


def test_a_description_and_answers_print_the_record(capsys):
    code = main(["adr", RAG, "--answer", "platform=other-stores", "--answer", "constraint=none"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# RAG on Azure OpenAI with Azure AI Search\n")
    assert f"> {RAG}" in out  # the team's own words
    assert "Our data is in databases, SharePoint or file shares." in out
    assert "Data flow: Your documents and data → Azure AI Search → Azure OpenAI" in out


def test_the_record_goes_to_a_file(tmp_path, capsys):
    target = tmp_path / "adr.md"
    args = ["adr", "--answer", "goal=data", "--answer", "data-job=store", "--out", str(target)]
    assert main([*args, "--answer", "platform=azure-storage"]) == 0
    assert target.read_text(encoding="utf-8").startswith(
        "# Azure Data Lake Storage Gen2 for the raw data\n"
    )
    assert capsys.readouterr().err == f"wrote {target}\n"


def test_an_open_question_or_a_wrong_answer_is_said_not_guessed(capsys):
    assert main(["adr", RAG]) == 2
    err = capsys.readouterr().err
    assert err.startswith("open question: Which data platform are you on, or moving to?")
    assert "--answer platform=<fabric|databricks|" in err
    assert main(["adr", "--answer", "goal=cake"]) == 2
    assert "goal is one of genai, ai-services, ml, data, data-qa" in capsys.readouterr().err
    assert main(["adr", "--answer", "colour=blue"]) == 2
    assert "no question 'colour'" in capsys.readouterr().err
