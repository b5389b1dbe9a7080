"""One-to-many text generation (character level, plain or conditioned on a label): config, text, sources, sampling,
payload, train, generator, evaluate."""
