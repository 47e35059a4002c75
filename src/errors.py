"""User-facing errors: one clear line and a non-zero exit, never a traceback; Ctrl-C: one line and exit 130."""
import contextlib
import functools
import signal
import sys
import threading


class UserError(Exception):
    """A mistake in the user's input (file, option, checkpoint): reported as one line, exit code 2."""


def _terminated(signum, frame):
    raise KeyboardInterrupt


_INSTALLED = {}  # signal -> the handler interrupts_as_keyboard_interrupt() installed, while its block runs


@contextlib.contextmanager
def interrupts_as_keyboard_interrupt():
    """Ctrl-C (and SIGTERM) raise KeyboardInterrupt in the main thread while the block runs, so that `finally` blocks
    run (temporary files removed, locks released) and cli_entry prints its line.

    MindSpore's backend installs a C-level SIGINT handler each time it runs a graph, replacing Python's; that handler
    turns Ctrl-C into SIGTERM for the process, whose default action kills it at once (exit 143, no cleanup). So: while
    the block runs SIGTERM raises KeyboardInterrupt too (a real SIGTERM is indistinguishable, and is handled the same
    way), and Python's own SIGINT handler is put back on entry for the time before MindSpore runs. MindSpore's
    dataset pipeline also installs a C-level SIGTERM handler when training starts: reinstall_handlers() puts both
    back (src/callbacks.py calls it at every training step). Signals the shell set to be ignored (a background job)
    stay ignored. The previous handlers are restored on exit (the tests call main() in-process). Outside the main
    thread, a no-op.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    wanted = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: _terminated}
    for sig, handler in wanted.items():
        if previous[sig] is not signal.SIG_IGN:
            signal.signal(sig, handler)
            _INSTALLED[sig] = handler
    try:
        yield
    finally:
        _INSTALLED.clear()
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def reinstall_handlers():
    """Within interrupts_as_keyboard_interrupt(): install its handlers again over those MindSpore installed since
    (cheap: one system call each). Elsewhere a no-op."""
    if _INSTALLED and threading.current_thread() is threading.main_thread():
        for sig, handler in _INSTALLED.items():
            signal.signal(sig, handler)


def cli_entry(main):
    """Wrap a script's main(): a UserError prints `error: ...` on stderr and exits with 2; Ctrl-C (at any moment,
    also while MindSpore runs a graph) prints `interrupted` and exits with 130 once `finally` blocks have run."""
    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            with interrupts_as_keyboard_interrupt():
                return main(*args, **kwargs)
        except UserError as err:
            print(f"error: {err}", file=sys.stderr)
            sys.exit(2)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            sys.exit(130)
    return wrapped
