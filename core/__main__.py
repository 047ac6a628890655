import os
import sys

from core.cli.main import main


def _run() -> int:
    """The command line; a reader that stops early (`... | head`) ends it quietly, as it does any command-line
    tool (exit 141, as a shell reports a program stopped by a closed pipe)."""
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more reaches the closed pipe
        return 141
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130


sys.exit(_run())
