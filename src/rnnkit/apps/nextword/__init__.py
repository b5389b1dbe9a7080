"""Next-word prediction while typing: config, predictor, session, engine, text, train, evaluate."""
