"""Sentiment of reviews: labels, the lexicon rule, features, the learned model, training, sources, evaluation."""
