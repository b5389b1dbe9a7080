"""Part-of-speech tagging (many-to-many, same length): config, text, model, task, payload, tagger, train, evaluate."""
