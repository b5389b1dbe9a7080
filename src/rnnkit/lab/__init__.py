"""rnnkit.lab."""
