"""One JSON shape per result: ``rnnkit ... --json`` and the HTTP API print the same objects."""

from __future__ import annotations

import json

import pytest

from rnnkit.cli import main


def _cli_json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("text", ["I go to ", "I go to sch", "", "I go to xqzzj"])
def test_suggest_is_the_same_object_from_the_cli_and_over_http(client, capsys, text):
    cli = _cli_json(capsys, "suggest", text, "-k", "4")
    http = client.post("/v1/suggest", json={"text": text, "k": 4}).json()
    assert cli.pop("text") == text
    assert cli == http


@pytest.mark.parametrize("explain", [False, True])
@pytest.mark.parametrize("text", ["The battery died after two days.", "not bad at all", ""])
def test_sentiment_is_the_same_object_from_the_cli_and_over_http(client, capsys, text, explain):
    cli = _cli_json(capsys, "sentiment", text, *(["--explain"] if explain else []))
    http = client.post("/v1/sentiment", json={"text": text, "explain": explain}).json()
    assert cli.pop("backend") == http["backend"]
    assert list(cli) == list(http["results"][0]) == ["label", "scores", "compound", "explanation"]
    assert cli["label"] == http["results"][0]["label"]
    assert cli["scores"] == pytest.approx(http["results"][0]["scores"], abs=1e-6)
    assert cli["compound"] == pytest.approx(http["results"][0]["compound"], abs=1e-6)
    assert (cli["explanation"] is None) == (not explain)
    if explain:
        pairs = [(e["token"], e["contribution"]) for e in http["results"][0]["explanation"]]
        assert [e["token"] for e in cli["explanation"]] == [t for t, _ in pairs]
        assert [e["contribution"] for e in cli["explanation"]] == pytest.approx([c for _, c in pairs], abs=1e-6)
