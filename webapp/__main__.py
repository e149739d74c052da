"""`python -m webapp` commands for whoever runs the app:

    hash-password          read a password (a prompt, or one line on stdin), print its hash for PA_*_USERS
    new-api-token NAME     a new runs API token: prints the token (for PA_API_TOKEN or a client) and the
                           NAME:hash entry for PA_API_TOKENS (or PA_API_READ_TOKENS)
    reset-admin-password   give the first-run admin (no users configured) a new random password, printed once;
                           their sessions end
    revoke-sessions USER   end every session of a user at once (e.g. a lost laptop)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from store.settings import load_settings
from webapp import api_tokens
from webapp.sessions import SessionStore, store_path
from webapp.settings import load_web_settings
from webapp.users import FIRST_ADMIN_NAME, first_admin_path, hash_password, write_first_admin


def _sessions(data_dir: Path) -> SessionStore:
    web = load_web_settings()
    return SessionStore(store_path(data_dir), web.session_idle_minutes * 60, web.session_max_hours * 3600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    sub.add_parser("hash-password", help="print a password hash for PA_ADMIN_USERS / PA_ANALYST_USERS")
    token = sub.add_parser("new-api-token", help="a new runs API token and its entry for PA_API_TOKENS")
    token.add_argument("name")
    for name, help_text in (("reset-admin-password", "a new password for the first-run admin"),
                            ("revoke-sessions", "end every session of a user")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--data-dir", type=Path, help="the data folder (default: PA_DATA_DIR)")
        if name == "revoke-sessions":
            command.add_argument("user")
    args = parser.parse_args(argv)
    if args.command == "hash-password":
        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            print("error: use at least 8 characters", file=sys.stderr)
            return 2
        print(hash_password(password))
        return 0
    if args.command == "new-api-token":
        try:
            secret, entry = api_tokens.new(args.name)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"token (give it to the client, e.g. PA_API_TOKEN; shown only now):\n\n    {secret}\n\n"
              f"entry for PA_API_TOKENS (admin scope) or PA_API_READ_TOKENS (read only; comma-separated):\n\n"
              f"    {entry}")
        return 0
    data_dir = load_settings().with_data_dir(args.data_dir).data_dir
    if args.command == "revoke-sessions":
        print(f"ended {_sessions(data_dir).revoke_user(args.user)} session(s) of {args.user!r}")
        return 0
    path = first_admin_path(data_dir)
    if not path.exists():
        print(f"error: no first-run admin in {path} (users come from PA_ADMIN_USERS, or the app has not started "
              "on this data folder yet)", file=sys.stderr)
        return 2
    password = write_first_admin(path, replace=True)
    ended = _sessions(data_dir).revoke_user(FIRST_ADMIN_NAME)
    print(f"the admin {FIRST_ADMIN_NAME!r} now logs in with the password\n\n    {password}\n\n"
          f"(stored hashed in {path}; {ended} session(s) ended)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
