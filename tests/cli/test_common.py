"""rnnkit.cli.common: what every command shares."""

from __future__ import annotations


def test_quantize_choices_are_the_libraries():
    """The CLI spells the schemes out (its --help imports no torch); they must be the ones the models take."""
    from rnnkit.apps.sentiment.model import QUANTIZE_SCHEMES
    from rnnkit.cli.common import QUANTIZE_CHOICES as CLI_CHOICES
    from rnnkit.cli.common import SENTIMENT_QUANTIZE_CHOICES
    from rnnkit.nn.quantize import QUANTIZE_CHOICES

    assert CLI_CHOICES == QUANTIZE_CHOICES and SENTIMENT_QUANTIZE_CHOICES == QUANTIZE_SCHEMES
