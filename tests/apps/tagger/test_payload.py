"""The tagger checkpoint: parts must fit together, broken payloads are one-line CheckpointErrors."""

from __future__ import annotations

import dataclasses

import pytest

from rnnkit.apps.tagger.payload import build_payload, read_payload
from rnnkit.errors import CheckpointError, InputError
from rnnkit.text import Vocabulary


def test_parts_that_do_not_fit_are_refused(trained):
    parts = trained().parts
    with pytest.raises(InputError, match="do not match the vocabularies and tags"):
        dataclasses.replace(parts, tags=parts.tags[:-1])
    with pytest.raises(InputError, match="model must be a TaggerNet"):
        dataclasses.replace(parts, model=None)
    with pytest.raises(InputError, match="do not match"):
        dataclasses.replace(parts, chars=Vocabulary.build([["a"]]))


def test_payload_round_trip_and_kind(trained):
    parts = trained().parts
    payload = build_payload(parts)
    assert payload["kind"] == "tagger" and payload["extra"]["tags"] == list(parts.tags)
    again = read_payload(payload, "mem.pt")
    assert (again.vocab, again.chars, again.tags, again.config) == (parts.vocab, parts.chars, parts.tags, parts.config)


@pytest.mark.parametrize("break_it", [
    lambda p: p["extra"].pop("tags"),
    lambda p: p["extra"].update(tags="NOUN"),
    lambda p: p["extra"]["tagger_config"].update(hidden_size=3),
    lambda p: p["extra"]["tagger_config"].update(colour="red"),
    lambda p: p["model_config"].update(num_tags=99),
    lambda p: p.update(vocab={"format": "nope"}),
])
def test_broken_payloads_are_one_line_checkpoint_errors(trained, break_it):
    payload = build_payload(trained().parts)
    break_it(payload)
    with pytest.raises(CheckpointError, match="^checkpoint mem.pt is not a usable tagger: ") as info:
        read_payload(payload, "mem.pt")
    assert "\n" not in str(info.value)
