"""rnnkit.text."""
