"""User-facing errors: one clear line and a non-zero exit, never a traceback."""
import functools
import sys


class UserError(Exception):
    """A mistake in the user's input (file, option, checkpoint): reported as one line, exit code 2."""


def cli_entry(main):
    """Wrap a script's main() so a UserError prints `error: ...` on stderr and exits with 2."""
    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            return main(*args, **kwargs)
        except UserError as err:
            print(f"error: {err}", file=sys.stderr)
            sys.exit(2)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            sys.exit(130)
    return wrapped
