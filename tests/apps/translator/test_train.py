"""Translator training: reading pairs, encoding, the time budget, checkpoints that load and resume."""

import pytest

from rnnkit import CheckpointError, ConfigError, InputError
from rnnkit.apps.translator import Translator
from rnnkit.apps.translator.train import encode_pairs, read_pairs, train_parts
from rnnkit.text import Vocabulary

from .conftest import PAIRS, pairs_file, tiny_config


def test_read_pairs_takes_a_part_of_a_file_or_a_list(tmp_path):
    path = pairs_file(tmp_path, [(f"sentence {i}.", f"phrase {i}.") for i in range(200)])
    train, test = read_pairs(path, "train", "data"), read_pairs(path, "test", "data")
    assert len(train) + len(test) + len(read_pairs(path, "valid", "data")) == 200
    assert not {e for e, _ in train} & {e for e, _ in test}
    assert read_pairs(PAIRS, None, "data") == PAIRS


@pytest.mark.parametrize(("source", "match"), [([], "holds no pairs"), (["I go"], "list of"), (42, "got int"),
                                               ([("a", 1)], "list of")])
def test_read_pairs_refuses_bad_sources(source, match):
    with pytest.raises(InputError, match=match):
        read_pairs(source, None, "training data")


def test_encode_pairs_adds_bos_eos_and_leaves_out_long_or_empty_pairs():
    source, target = Vocabulary(["I", "go", "."]), Vocabulary(["Je", "vais", "."], add_bos_eos=True)
    encoded = encode_pairs([("I go .", "Je vais ."), ("I go go go .", "Je vais ."), ("...", "")], source, target, 4)
    assert encoded == [([2, 3, 4], [target.bos_id, 4, 5, 6, target.eos_id])]


def test_train_on_a_file_validates_on_its_valid_part_and_checkpoints_load(tmp_path):
    pairs = [(f"I see {i} cats.", f"Je vois {i} chats.") for i in range(60)]
    path = pairs_file(tmp_path, pairs)
    parts = train_parts(path, tiny_config(epochs=2, eval_every=0), checkpoint_path=tmp_path / "t.train.pt")
    assert parts.metrics["val_perplexity"] is not None and parts.train_data == str(path)
    resumed = Translator.load(tmp_path / "t.train.pt")  # the Trainer's file loads as a translator
    assert resumed.parts.source_vocab == parts.source_vocab
    more = train_parts(path, tiny_config(epochs=3), checkpoint_path=tmp_path / "t2.train.pt",
                       resume_from=tmp_path / "t.train.pt")
    assert more.metrics["epochs"] == 3


def test_resume_with_other_vocabularies_is_refused(tmp_path):
    train_parts(PAIRS, tiny_config(epochs=1), checkpoint_path=tmp_path / "t.train.pt")
    with pytest.raises(CheckpointError, match="other vocabularies"):
        train_parts(PAIRS[:4], tiny_config(epochs=2), resume_from=tmp_path / "t.train.pt")


def test_bad_config_or_no_usable_pair_is_refused():
    with pytest.raises(ConfigError, match="TranslatorConfig"):
        train_parts(PAIRS, {"epochs": 1})
    with pytest.raises(InputError, match="no training pair"):
        train_parts(PAIRS, tiny_config(max_train_tokens=1))
