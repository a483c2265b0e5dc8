"""`arxiv-digest deliver`: a published day's best papers by mail and to chats, once.

    message.py   the day's digest, built once from the stored records
    mail.py      by SMTP (STARTTLS or SSL), HTML with a plain-text part
    webhooks.py  Slack, Feishu / Lark, DingTalk, Telegram, each in its own format
    channels.py  what they share: retries, fingerprints, scrubbing of secrets

Each channel is on when its variables are set (README: Mail and chat). The day is
the newest stored one unless `--date` names another, so a backfill of old days
never sends them. A channel's delivery is recorded in the day's metadata as soon
as it is done (`Store.record_delivery`): a re-run, a second scheduled run or a
backfill sends it nothing again, and `--resend` sends anyway. A channel that fails
after its retries is reported, in the log and in the run's summary on GitHub
Actions, and tried again by the next `deliver` of that day; it never stops the
other channels, and `deliver` itself only fails (exit 1) when it cannot start.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.deliver.channels import (
    Channel,
    ChannelFailed,
    Pace,
    Scrubber,
    scrubbed_logs,
)
from generator.deliver.mail import Mail
from generator.deliver.message import Digest, build_digest
from generator.deliver.webhooks import DEFAULT_TELEGRAM_API_URL, DingTalk, Feishu, Slack, Telegram
from generator.environment import Environment
from generator.errors import DeliveryError
from generator.settings import Settings
from generator.site import site_url
from generator.sources.http import RetryPolicy

log = logging.getLogger(__name__)

CHANNELS = ("mail", "slack", "feishu", "dingtalk", "telegram")
# What turns each channel on, for the message that names a channel that is off.
TURNED_ON_BY = {
    "mail": "DIGEST_SMTP_HOST, DIGEST_SMTP_TO (and DIGEST_SMTP_USER, DIGEST_SMTP_PASSWORD)",
    "slack": "DIGEST_SLACK_WEBHOOK_URL",
    "feishu": "DIGEST_FEISHU_WEBHOOK_URL",
    "dingtalk": "DIGEST_DINGTALK_WEBHOOK_URL",
    "telegram": "DIGEST_TELEGRAM_BOT_TOKEN and DIGEST_TELEGRAM_CHAT_ID",
}
ATTEMPTS = 3  # each message of a channel: the first try and two retries


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: Literal["sent", "already", "failed"]
    detail: str


def configured(env: Environment) -> list[Channel]:
    """The channels the environment turns on, in CHANNELS' order."""
    channels: list[Channel] = []
    if env.smtp_host and env.smtp_to:
        sender = env.smtp_from or env.smtp_user or ""  # the environment checked one is an address
        channels.append(
            Mail(
                env.smtp_host,
                env.smtp_security,
                sender,
                env.smtp_to,
                env.smtp_port,
                env.smtp_user,
                env.smtp_password,
                env.smtp_ca_file,
            )
        )
    if env.slack_webhook_url:
        channels.append(Slack(env.slack_webhook_url))
    if env.feishu_webhook_url:
        channels.append(Feishu(env.feishu_webhook_url, env.feishu_secret))
    if env.dingtalk_webhook_url:
        channels.append(DingTalk(env.dingtalk_webhook_url, env.dingtalk_secret))
    if env.telegram_bot_token and env.telegram_chat_id:
        api = env.telegram_api_url or DEFAULT_TELEGRAM_API_URL
        channels.append(Telegram(env.telegram_bot_token, env.telegram_chat_id, api))
    return channels


def deliver(
    settings: Settings,
    date: dt.date | None = None,
    *,
    resend: bool = False,
    only: list[str] | None = None,
) -> list[Outcome]:
    """Send the day (default: the newest stored) to each channel that has not had it."""
    channels = _chosen(configured(settings.environment), only)
    if not channels:
        log.info("No mail or chat channel is configured: nothing to send (README: Mail and chat).")
        return []
    store = settings.store
    days = store.days()
    if date is None and not days:
        log.info("No day is stored yet: nothing to send.")
        return []
    date = date or days[-1]
    if date not in days:
        raise DeliveryError(f"{date} is not stored in {store.data_dir}")
    digest = build_digest(store, settings.config, date, site_url(settings.root))
    if not digest.topics:
        log.info("%s: no topic lists a paper that day: nothing to send.", date)
        return []
    scrub = Scrubber(secret for channel in channels for secret in channel.secrets())
    with scrubbed_logs(scrub):
        outcomes = [
            _deliver_one(settings, channel, digest, resend=resend, scrub=scrub)
            for channel in channels
        ]
    if settings.environment.step_summary:
        write_summary(settings.environment.step_summary, date, outcomes)
    return outcomes


def _chosen(channels: list[Channel], only: list[str] | None) -> list[Channel]:
    if not only:
        return channels
    on = {channel.name for channel in channels}
    off = [name for name in only if name not in on]
    if off:
        raise DeliveryError(f"--channel {off[0]}: not configured (set {TURNED_ON_BY[off[0]]})")
    return [channel for channel in channels if channel.name in only]


def _pace(settings: Settings) -> Pace:
    env = settings.environment
    retry = RetryPolicy(attempts=ATTEMPTS, backoff_seconds=env.retry_backoff)
    return Pace(env.delivery_timeout, retry, settings.sleep, settings.now)


def _deliver_one(
    settings: Settings, channel: Channel, digest: Digest, *, resend: bool, scrub: Scrubber
) -> Outcome:
    store, name, date = settings.store, channel.name, digest.date
    earlier = store.deliveries(date).get(name)
    if earlier and not resend:
        log.info("%s: %s was sent at %s; --resend sends it again", name, date, earlier["at"])
        return Outcome(name, "already", f"sent at {earlier['at']}")
    try:
        detail = channel.send(digest, _pace(settings))
    except ChannelFailed as exc:
        reason = scrub(str(exc))
    except Exception as exc:  # a fault in one channel must not keep the others from sending
        log.debug("%s failed", name, exc_info=True)
        reason = scrub(f"{type(exc).__name__}: {exc}")
    else:
        sent_at = settings.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        entry = {"at": sent_at, "to": channel.fingerprint(), "papers": digest.papers}
        store.record_delivery(date, name, entry)
        detail = f"{digest.describe()}, {detail}"
        log.info("%s: %s sent (%s)", name, date, detail)
        return Outcome(name, "sent", detail)
    log.warning(
        "%s: %s NOT sent: %s; the next `deliver` of the day tries again", name, date, reason
    )
    return Outcome(name, "failed", reason)


_SHOWN = {"sent": "sent", "already": "already sent", "failed": "**not sent**"}


def write_summary(path: Path, date: dt.date, outcomes: list[Outcome]) -> None:
    """Append the outcomes to the run's summary (GitHub Actions shows it on the run's
    page): a table, one row a channel."""
    rows = [f"### Mail and chat: {date}", "", "| channel | result |", "|---|---|"]
    for outcome in outcomes:
        detail = html.escape(" ".join(outcome.detail.split())).replace("|", "\\|")
        rows.append(f"| {outcome.channel} | {_SHOWN[outcome.status]}: {detail} |")
    try:
        with path.open("a", encoding="utf-8") as summary:
            summary.write("\n".join(rows) + "\n\n")
    except OSError as exc:
        log.warning("cannot write the run's summary to %s: %s", path, exc.strerror)


__all__ = ["CHANNELS", "Outcome", "configured", "deliver"]
