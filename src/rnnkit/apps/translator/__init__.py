"""English-to-French translation: a bidirectional-encoder, attention decoder Seq2Seq trained on Tatoeba pairs."""

from rnnkit.apps.translator.config import TranslatorConfig
from rnnkit.apps.translator.evaluate import evaluate_translator
from rnnkit.apps.translator.translator import Translator

__all__ = ["Translator", "TranslatorConfig", "evaluate_translator"]
