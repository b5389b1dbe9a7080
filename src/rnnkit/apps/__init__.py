"""rnnkit.apps."""
