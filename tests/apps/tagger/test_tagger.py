"""The Tagger API on tiny taggers: every cell learns, save/load round trip, punctuation rule, bad input."""

from __future__ import annotations

import pytest
import torch

from rnnkit.apps.tagger import tagger as tagger_module
from rnnkit.apps.tagger.tagger import Tagger, tag_result
from rnnkit.apps.tagger.text import MAX_TEXT_CHARS
from rnnkit.data.conllu import read_conllu
from rnnkit.errors import CheckpointError, ConfigError, InputError, NotTrainedError


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_every_cell_learns_the_tiny_corpus(trained, tiny_path, cell):
    tagger = trained(cell)
    assert tagger.config.cell == cell and tagger.model.encoder.cell == cell
    sentences = read_conllu(tiny_path)
    predicted = tagger.tag_sentences([list(s.words) for s in sentences])
    right = sum(p == g for s, tags in zip(sentences, predicted, strict=True) for p, g in zip(tags, s.tags, strict=True))
    assert right / sum(len(s.tags) for s in sentences) >= 0.95
    assert tagger.metrics["train_sentences"] == 10 and tagger.metrics["train_file"] == str(tiny_path)


def test_character_features_can_be_turned_off(tiny_path, tiny_config):
    tagger = Tagger.train(tiny_path, tiny_config(char_embedding_dim=0, epochs=2))
    assert tagger.model.char_encoder is None and len(tagger.tag("show me zzyzx")) == 3


def test_tag_keeps_words_as_typed_and_lower_cases_what_it_reads(trained):
    tagger = trained()
    assert tagger.tag("Show me flights from Boston to Denver") == [
        ("Show", "VERB"), ("me", "PRON"), ("flights", "NOUN"), ("from", "ADP"), ("Boston", "PROPN"),
        ("to", "ADP"), ("Denver", "PROPN")]
    assert tagger.tag("show me flights from boston to denver") == [
        (w.lower(), t) for w, t in tagger.tag("Show me flights from Boston to Denver")]


def test_punctuation_gets_punct_by_rule_when_training_had_none(trained):
    tagger = trained()
    assert "PUNCT" not in tagger.tags
    pairs = tagger.tag("show me flights, from boston!")
    assert pairs[3] == (",", "PUNCT") and pairs[-1] == ("!", "PUNCT")
    assert [t for w, t in pairs if w not in ",!"] == [t for _, t in tagger.tag("show me flights from boston")]
    assert tagger.tag_words(["?", "..."]) == ["PUNCT", "PUNCT"]


def test_tag_many_result_and_json_shape(trained):
    tagger = trained()
    texts = ["list the flights", "", "show me boston"]
    assert tagger.tag_many(texts) == [tagger.tag(t) for t in texts]
    assert tagger.tag("") == [] and tagger.result("") == {"tokens": []}
    assert tagger.result("list flights") == {"tokens": [{"word": "list", "tag": "VERB"},
                                                        {"word": "flights", "tag": "NOUN"}]}
    assert tag_result([("a", "DET")]) == {"tokens": [{"word": "a", "tag": "DET"}]}


def test_unseen_words_long_texts_and_junk_get_an_answer(trained):
    tagger = trained()
    pairs = tagger.tag("show me flights to zzyzxville")
    assert pairs[-1][0] == "zzyzxville" and pairs[-1][1] in tagger.tags
    long_text = "show me flights . " * 5000  # 20,000 words, cut into sentence pieces
    assert len(tagger.tag(long_text)) == 20_000
    junk = "".join(map(chr, range(1, 600))) + "\x00\ufffd" * 100
    assert all(tag in (*tagger.tags, "PUNCT") for _, tag in tagger.tag(junk))


@pytest.mark.parametrize("call, match", [
    (lambda t: t.tag(b"bytes"), "text must be a str, got bytes"),
    (lambda t: t.tag("a" * (MAX_TEXT_CHARS + 1)), "reads at most"),
    (lambda t: t.tag_many("one text"), "texts must be a list of str"),
    (lambda t: t.tag_many([1]), "text must be a str, got int"),
    (lambda t: t.tag_sentences([["ok", ""]]), "lists of non-empty str words"),
    (lambda t: t.tag_sentences("words"), "lists of non-empty str words"),
])
def test_bad_input_is_an_input_error(trained, call, match):
    with pytest.raises(InputError, match=match):
        call(trained())


def test_save_load_round_trip_gives_the_same_tags_and_logits(trained, tmp_path):
    tagger = trained("gru")
    path = tagger.save(tmp_path / "t.pt")
    loaded = Tagger.load(path)
    text = "i would like a cheap flight to pittsburgh on friday"
    assert loaded.tag(text) == tagger.tag(text) and loaded.tags == tagger.tags and loaded.config == tagger.config
    data = loaded.prepare([text.split()])
    assert torch.equal(torch.cat([torch.from_numpy(r) for r in loaded._forward(data)]),
                       torch.cat([torch.from_numpy(r) for r in tagger._forward(data)]))


def test_trainer_checkpoints_load_as_taggers_and_resume(tiny_path, tiny_config, tmp_path):
    checkpoint = tmp_path / "t.train.pt"
    first = Tagger.train(tiny_path, tiny_config(epochs=2), valid=tiny_path, checkpoint_path=checkpoint)
    assert Tagger.load(checkpoint).tags == first.tags
    best = Tagger.load(tmp_path / "t.train.best.pt")
    assert best.metrics["best_metric"] == first.metrics["val_accuracy"]
    resumed = Tagger.train(tiny_path, tiny_config(epochs=3), checkpoint_path=tmp_path / "r.pt", resume_from=checkpoint)
    assert resumed.metrics["epochs"] == 3


def test_resuming_with_other_data_is_refused(tiny_path, tiny_config, tmp_path):
    Tagger.train(tiny_path, tiny_config(epochs=1), checkpoint_path=tmp_path / "t.pt")
    other = tmp_path / "other.conllu"
    other.write_text("1\tzebra\t_\tNOUN\t_\t_\t0\t_\t_\t_\n")
    with pytest.raises(CheckpointError, match="trained with other vocabularies or tags"):
        Tagger.train(other, tiny_config(epochs=2), resume_from=tmp_path / "t.pt")


def test_train_refuses_bad_config_and_data(tiny_path, tmp_path):
    with pytest.raises(ConfigError, match="config must be a TaggerConfig"):
        Tagger.train(tiny_path, {"epochs": 1})
    with pytest.raises(InputError, match="CoNLL-U file path or a non-empty list of TaggedSentence"):
        Tagger.train(["show me"])
    with pytest.raises(InputError, match="file not found"):
        Tagger.train(tmp_path / "none.conllu")


def test_load_without_a_bundled_model_says_how_to_train(monkeypatch, tmp_path):
    monkeypatch.setattr(tagger_module, "DEFAULT_MODEL_PATH", tmp_path / "none.pt")
    with pytest.raises(NotTrainedError, match="rnnkit train tagger --train FILE.conllu"):
        Tagger.load()


def test_another_products_checkpoint_is_refused_in_one_line():
    from rnnkit.apps.nextword.predictor import DEFAULT_MODEL_PATH as NEXTWORD

    with pytest.raises(CheckpointError, match="holds a 'nextword' model, expected 'tagger'") as info:
        Tagger.load(NEXTWORD)
    assert "\n" not in str(info.value)


def test_repr_names_the_network_tags_and_vocabulary():
    from rnnkit import Tagger

    assert repr(Tagger.load()) == "Tagger(lstm 2x128 bidirectional, 13 tags, vocabulary 865)"
