"""``rnnkit train sentiment``: train a learned sentiment model from named data sources.

Example (the bundled model's command is in ``src/rnnkit/pretrained/sentiment.md``)::

    rnnkit train sentiment --train sst:$D/sst/trees/train.txt --train proscons:$D/pros_cons \\
        --valid sst-sentences:$D/sst/trees/dev.txt --exclude sst-sentences:$D/sst/trees/test.txt \\
        --opinion-lexicon $D/opinion_lexicon --out sentiment.pt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rnnkit.cli.common import add_config_flags, config_from_args

__all__ = ["add_train_sentiment"]


def add_train_sentiment(parser: argparse.ArgumentParser) -> None:
    from rnnkit.apps.sentiment.model import SentimentConfig
    from rnnkit.apps.sentiment.sources import SOURCE_FORMATS
    parser.add_argument("--train", action="append", required=True, metavar="FORMAT:PATH",
                        help=f"training data, repeatable; FORMAT is one of {', '.join(SOURCE_FORMATS)}")
    parser.add_argument("--valid", metavar="FORMAT:PATH", help="validation data; the best epoch's weights are kept")
    parser.add_argument("--exclude", action="append", default=[], metavar="FORMAT:PATH",
                        help="evaluation data whose sentences must not be trained on (the validation data is "
                             "always excluded too); overlapping training texts are dropped and counted")
    parser.add_argument("--opinion-lexicon", type=Path, metavar="DIR",
                        help="folder with Hu & Liu's positive-words.txt and negative-words.txt, used as features")
    parser.add_argument("--out", type=Path, default=Path("sentiment.pt"), help="the model file (default sentiment.pt)")
    parser.add_argument("--json", action="store_true", help="print the training summary as JSON")
    add_config_flags(parser, SentimentConfig, "model and training")
    parser.set_defaults(func=_cmd_train_sentiment)


def _cmd_train_sentiment(args: argparse.Namespace) -> int:
    from rnnkit.apps.sentiment.model import SentimentConfig, SentimentModel
    from rnnkit.apps.sentiment.sources import read_opinion_lexicon, read_source, read_sources, remove_overlap

    config = config_from_args(args, SentimentConfig)
    texts, labels = read_sources(args.train)
    valid = read_source(args.valid) if args.valid else None
    held_out = [t for spec in args.exclude for t in read_source(spec)[0]] + (valid[0] if valid else [])
    texts, labels, removed = remove_overlap(texts, labels, held_out)
    opinion = read_opinion_lexicon(args.opinion_lexicon) if args.opinion_lexicon else ((), ())
    print(f"training on {len(texts):,} texts ({removed:,} dropped for overlapping evaluation sentences)",
          file=sys.stderr)
    model = SentimentModel.train(texts, labels, config, valid=valid, opinion_words=opinion,
                                 checkpoint_path=args.out.with_suffix(".train.pt"))
    model.card.update({"train_sources": args.train, "valid": args.valid, "excluded": args.exclude,
                       "overlap_removed": removed, "opinion_lexicon": bool(args.opinion_lexicon)})
    model.save(args.out)
    summary = {"out": str(args.out), **model.metrics, "overlap_removed": removed}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"wrote {args.out}: {model!r}, validation 3-class accuracy {model.metrics['val_accuracy3']}, "
              f"{model.metrics['elapsed_s']:.0f} s")
    return 0
