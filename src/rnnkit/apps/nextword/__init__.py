"""Next-word prediction while typing: config, predictor, engine, session, sampling, text, payload, train, evaluate."""
