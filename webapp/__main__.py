"""`python -m webapp hash-password`: read a password (a prompt, or one line on stdin) and print its hash for
PA_ADMIN_USERS / PA_ANALYST_USERS."""

from __future__ import annotations

import argparse
import getpass
import sys

from webapp.auth import hash_password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    sub.add_parser("hash-password", help="print a password hash for PA_ADMIN_USERS / PA_ANALYST_USERS")
    parser.parse_args(argv)
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("error: use at least 8 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
