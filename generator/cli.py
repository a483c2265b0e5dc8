"""The command line: a thin adapter over `pipeline` (and `deliver`).

Exit status 0 on success (a day without an announcement is one), 1 with a
one-line reason on failure; `--debug` adds the traceback. `deliver` exits 0 when a
channel failed (it says so, and the next `deliver` of the day tries again): a chat
that is down must not fail the run that published the day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import traceback
from pathlib import Path

from generator import __version__, pipeline
from generator.deliver import CHANNELS, deliver
from generator.errors import DigestError, EnrichError
from generator.preview import ADDRESS_FORMS, parse_address, serve_site
from generator.sample import SAMPLE_FOLDER, run_sample
from generator.settings import Settings, one_at_a_time
from generator.split import OLDER_FOLDER
from generator.store import Store

EPILOG = """examples:
  arxiv-digest run                              today's digest, end to end
  arxiv-digest run --sample                     the same on a recorded arXiv day, offline
  arxiv-digest build                            rebuild content/ and site/ from data/
  arxiv-digest build --older                    a split archive's older site, in older/site/
  arxiv-digest backfill --from 2026-06-15 --to 2026-06-19
  arxiv-digest enrich --date 2026-06-19         retry the LLM step where it failed
  arxiv-digest retriage                         after editing topics: sort the archive again
  arxiv-digest serve                            preview on http://127.0.0.1:8000/
  arxiv-digest deliver                          the newest day by mail and to chats, once

environment:
  OPENAI_API_KEY                  turns the LLM step on (any OpenAI-compatible provider)
  OPENAI_BASE_URL                 the provider's API base (default https://api.openai.com/v1)
  DIGEST_LLM_MODEL                model name (default: llm.model in digest.yml)
  DIGEST_LLM_TIMEOUT              seconds for a whole LLM request and reply (default: digest.yml)
  ARXIV_RSS_URL, ARXIV_API_URL    arXiv endpoints (defaults: arXiv's own)
  ARXIV_HTML_URL                  arXiv's HTML versions, read for institutions at the
                                  Crawl-delay of that host's robots.txt
  ARXIV_API_DELAY                 seconds between arXiv requests (default 3, arXiv's rule)
  DIGEST_RETRY_BACKOFF            first wait before a retry, doubling (default 5)
  DIGEST_HTTP_TIMEOUT             seconds for a whole arXiv request and answer (default 60)
  DIGEST_SMTP_HOST, DIGEST_SMTP_TO, DIGEST_SLACK_WEBHOOK_URL, DIGEST_FEISHU_WEBHOOK_URL,
  DIGEST_DINGTALK_WEBHOOK_URL, DIGEST_TELEGRAM_BOT_TOKEN ...
                                  turn on `deliver`'s channels (README: Mail and chat)
"""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


LATEST = "latest"  # `enrich --date latest`: the newest stored day
OLDER_HELP = (
    f"the older site of a split archive (digest.yml: archive), in {OLDER_FOLDER}/site/:"
    " the days before archive.split_before"
)


def _date_or_latest(text: str) -> dt.date | str:
    return LATEST if text == LATEST else _date(text)


# One declaration after another, in the order --help lists them: split, it would read
# worse, not better.
def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="arxiv-digest",
        description="A daily arXiv digest, sorted into topics, published as a static site.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    main.add_argument("--root", type=Path, default=Path("."), help="project folder (default: .)")
    main.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="fetch today's announcements, triage, store, render and build",
        epilog="example: ARXIV_API_DELAY=3 arxiv-digest run",
    )
    run.add_argument("--no-build", action="store_true", help="stop after writing content/")
    run.add_argument(
        "--sample",
        action="store_true",
        help=f"no internet needed: a recorded arXiv day into {SAMPLE_FOLDER}/ (never data/)",
    )

    build = commands.add_parser(
        "build",
        help="render content/ from data/ and build site/, offline",
        epilog="example: arxiv-digest build  # site/ is ready to publish",
    )
    build.add_argument("--older", action="store_true", help=OLDER_HELP)

    serve = commands.add_parser(
        "serve",
        help="build, then serve site/ as it deploys (search included)",
        epilog="example: arxiv-digest serve --dev-addr 127.0.0.1:8001",
    )
    serve.add_argument("--older", action="store_true", help=OLDER_HELP)
    serve.add_argument(
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="IP:PORT",
        help=f"where to serve: {ADDRESS_FORMS} (default: 127.0.0.1:8000)",
    )

    backfill = commands.add_parser(
        "backfill",
        help="fill past days from the arXiv API",
        epilog="example: arxiv-digest backfill --from 2026-06-15 --to 2026-06-19",
    )
    backfill.add_argument("--from", dest="first", type=_date, required=True, metavar="DATE")
    backfill.add_argument("--to", dest="last", type=_date, required=True, metavar="DATE")
    backfill.add_argument("--force", action="store_true", help="redo days already stored")
    backfill.add_argument("--no-build", action="store_true", help="stop after writing content/")

    retriage = commands.add_parser(
        "retriage",
        help="sort stored days into digest.yml's topics again by keywords (after editing them)",
        epilog="example: arxiv-digest retriage --from 2026-01-01  # then: arxiv-digest enrich",
    )
    retriage.add_argument("--from", dest="first", type=_date, metavar="DATE", help="first day")
    retriage.add_argument("--to", dest="last", type=_date, metavar="DATE", help="last day")
    retriage.add_argument("--no-build", action="store_true", help="stop after writing content/")

    enrich = commands.add_parser(
        "enrich",
        help="(re)try the LLM step for stored papers that lack it",
        epilog="example: OPENAI_API_KEY=... arxiv-digest enrich --date 2026-06-19",
    )
    which = enrich.add_mutually_exclusive_group()
    which.add_argument(
        "--date",
        type=_date_or_latest,
        metavar="DATE",
        help="one stored day, or 'latest' (default: every stored day)",
    )
    which.add_argument("--from", dest="first", type=_date, metavar="DATE", help="first day")
    enrich.add_argument("--to", dest="last", type=_date, metavar="DATE", help="last day")
    enrich.add_argument(
        "--force",
        action="store_true",
        help="redo papers already done (after changing topics, prompt or model)",
    )
    enrich.add_argument("--no-build", action="store_true", help="stop after writing content/")

    send = commands.add_parser(
        "deliver",
        help="send a day's best papers by mail and to chats: once a channel, unless --resend",
        epilog="example: arxiv-digest deliver --channel telegram --resend",
    )
    send.add_argument(
        "--date", type=_date, metavar="DATE", help="a stored day (default: the newest)"
    )
    send.add_argument("--resend", action="store_true", help="send to channels that had the day too")
    send.add_argument(
        "--channel",
        action="append",
        choices=CHANNELS,
        metavar="NAME",
        help=f"only this channel ({', '.join(CHANNELS)}); may be given again",
    )
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(levelname)s %(message)s" if args.debug else "%(message)s",
        stream=sys.stderr,
        force=True,
    )
    logging.getLogger("httpx").setLevel(logging.DEBUG if args.debug else logging.WARNING)
    try:
        if args.command == "run" and args.sample:
            _sample(args.root.resolve(), build=not args.no_build)
            return 0
        settings = Settings.load(args.root.resolve())
        address = parse_address(args.dev_addr) if args.command == "serve" else None
        with one_at_a_time(settings):
            _dispatch(args, settings)
        if address is not None:  # outside the turn: a preview must not block `run`
            serve_site(settings.root / OLDER_FOLDER if args.older else settings.root, *address)
        return 0
    except DigestError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"arxiv-digest: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("arxiv-digest: interrupted", file=sys.stderr)
        return 130


def _sample(root: Path, *, build: bool) -> None:
    folder = run_sample(root, os.environ, build=build)
    try:
        shown = folder.relative_to(Path.cwd())
    except ValueError:
        shown = folder
    if build:
        print(
            f"The sample site is in {shown / 'site'}. To open it: "
            f"arxiv-digest --root {shown} serve  (then http://127.0.0.1:8000/)"
        )


def _dispatch(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "run":
        pipeline.run(settings, build=not args.no_build)
    elif args.command in ("build", "serve"):
        pipeline.build(settings, older=args.older)
    elif args.command == "backfill":
        pipeline.backfill(
            settings, args.first, args.last, force=args.force, build=not args.no_build
        )
    elif args.command == "retriage":
        days = stored_days(settings.store, None, args.first, args.last)
        pipeline.retriage(settings, days, build=not args.no_build)
    elif args.command == "enrich":
        days = stored_days(settings.store, args.date, args.first, args.last)
        pipeline.enrich(settings, days, force=args.force, build=not args.no_build)
    elif args.command == "deliver":
        deliver(settings, args.date, resend=args.resend, only=args.channel)


def stored_days(
    store: Store,
    date: dt.date | str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[dt.date]:
    """The stored days a command names: one date or LATEST, a range, or all."""
    stored = store.days()
    if date == LATEST:
        if not stored:
            raise EnrichError(f"no day is stored in {store.data_dir} yet")
        return stored[-1:]
    if isinstance(date, dt.date):
        if date not in stored:
            raise EnrichError(f"{date} is not stored in {store.data_dir}")
        return [date]
    return [d for d in stored if (first is None or d >= first) and (last is None or d <= last)]
