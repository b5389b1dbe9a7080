"""The error hierarchy: one base class, each subclass also the built-in a caller would catch."""

import pytest

from rnnkit import CheckpointError, ConfigError, InputError, NotTrainedError, RnnkitError, TrainingError


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(ConfigError, ValueError), (InputError, ValueError), (CheckpointError, ValueError),
     (NotTrainedError, RuntimeError), (TrainingError, RuntimeError)],
)
def test_each_error_is_an_rnnkit_error_and_its_builtin(cls, builtin):
    assert issubclass(cls, RnnkitError)
    assert issubclass(cls, builtin)
    with pytest.raises(RnnkitError, match="bad value 3"):
        raise cls("bad value 3")


def test_first_line_quotes_an_error_in_one_bounded_line():
    from rnnkit.errors import first_line

    assert first_line(ValueError("bad shape\n  at line 2")) == "bad shape"
    assert first_line(KeyError()) == "KeyError"  # no message: its type
    assert first_line(RuntimeError("x" * 500)) == "x" * 200 and len(first_line(RuntimeError("y" * 500), 300)) == 300


def test_error_line_tells_the_users_errors_from_bugs():
    from rnnkit.errors import error_line

    assert error_line(InputError("text must be a str")) == "error: text must be a str"
    assert error_line(KeyError("w")) == ("internal error: KeyError: 'w' "
                                         "(please report it; RNNKIT_TRACEBACK=1 shows where)")
