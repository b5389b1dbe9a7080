"""The public API is what rnnkit/__init__.py exports, nothing more and nothing missing (httpx's habit)."""

import rnnkit


def test_all_is_sorted_and_matches_the_public_names():
    public = {name for name in vars(rnnkit) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(rnnkit, name)).__name__ == "module"}
    assert set(rnnkit.__all__) - {"__version__"} == public - modules
    assert rnnkit.__all__ == sorted(rnnkit.__all__)


def test_every_exported_member_is_documented():
    for name in rnnkit.__all__:
        if name != "__version__":
            assert getattr(rnnkit, name).__doc__, f"rnnkit.{name} has no docstring"
