"""Sentiment of reviews: labels, config, lexicon rule, features, model, analyzer, training, sources, evaluation."""
