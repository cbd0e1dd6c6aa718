//! Tokens and webhook URLs of chat and mail services.

use regex::Captures;

use super::{has_digit, Rule};
use crate::randomness::{base64_decode, is_placeholder};

pub(super) static RULES: &[Rule] = &[
    // Slack bot token: `xoxb-`, team id digits, bot id digits, 24 base62.
    Rule::provider(
        "slack-bot-token",
        &["xoxb-"],
        r"\bxoxb-\d{8,13}-(?:\d{8,13}-)?[A-Za-z0-9]{20,}",
    ),
    // Slack user token: `xoxp-`, team, user and token id digits, 32 of hex or base62.
    Rule::provider(
        "slack-user-token",
        &["xoxp-"],
        r"\bxoxp-(?:\d{8,13}-){2,3}[A-Za-z0-9]{24,34}",
    ),
    // Slack legacy tokens: workspace `xoxa-`, refresh `xoxr-`, session `xoxs-`, `xoxo-`.
    Rule::provider(
        "slack-legacy-token",
        &["xoxa-", "xoxr-", "xoxs-", "xoxo-"],
        r"\bxox[aors]-\d{1,13}-[A-Za-z0-9\-]{10,}",
    ),
    // Slack configuration tokens: access `xoxe.xoxp-1-`/`xoxe.xoxb-1-`, refresh `xoxe-1-`, then 40+ base62.
    Rule::provider(
        "slack-config-token",
        &["xoxe"],
        r"\bxoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{40,}",
    ),
    // Slack app-level token: `xapp-`, a digit, the app id, digits, a long base62 secret.
    Rule::provider(
        "slack-app-token",
        &["xapp-"],
        r"\bxapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]{16,}",
    ),
    // Slack incoming webhook or workflow trigger: `hooks.slack.com/services/T…/B…/<24 base62>`,
    // `/workflows/…`, `/triggers/…`.
    Rule::provider(
        "slack-webhook",
        &["hooks.slack.com"],
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{20,}",
    )
    .accepting(not_placeholder),
    // Discord webhook: `discord.com/api/webhooks/<17–20 digit id>/<68 of [A-Za-z0-9_-]>`, also on
    // `discordapp.com` and `canary.`/`ptb.` hosts.
    Rule::provider(
        "discord-webhook",
        &["discord"],
        r"\bdiscord(?:app)?\.com/api(?:/v\d+)?/webhooks/\d{17,20}/[A-Za-z0-9_\-]{60,68}",
    ),
    // Discord bot token: the bot's id (a 17–20 digit snowflake) in base64, `.`, 6 of a timestamp, `.`,
    // 27–38 of HMAC, all base64url. Unprefixed, so it runs on every text with a dot and is taken only when
    // the first part decodes to such an id.
    Rule::provider(
        "discord-bot-token",
        &["."],
        r"(?:^|[^A-Za-z0-9_\-.])([MNO][DTjz][A-Za-z0-9]{21,25})\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}(?:[^A-Za-z0-9_\-.]|$)",
    )
    .accepting(discord_bot_id),
    // Telegram bot token: the bot id (digits), `:`, `A` and 34 of [A-Za-z0-9_-]; also inside the
    // `api.telegram.org/bot<token>/` URL.
    Rule::provider(
        "telegram-bot-token",
        &[":a"],
        r"(?:^|[^0-9])\d{5,16}:A[A-Za-z0-9_\-]{34}(?:[^A-Za-z0-9_\-]|$)",
    ),
    // Microsoft Teams incoming webhook (`<tenant>.webhook.office.com/webhookb2/<guid>@<guid>/
    // IncomingWebhook/<32 hex>/<guid>`) or Power Automate workflow URL with its `sig=` signature.
    Rule::provider(
        "teams-webhook",
        &["webhook.office.com", "logic.azure.com"],
        r"(?:\.webhook\.office\.com/webhookb2/[0-9a-f\-]{36}@[0-9a-f\-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f\-]{36}|\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[^\s?]+\?\S*\bsig=[A-Za-z0-9_\-%]{20,})",
    ),
    // Twilio API key SID: `SK` and 32 hex (the key's secret travels with it). Account SIDs (`AC` and 32 hex)
    // are identifiers that Twilio shows in its console and URLs, not credentials: not a rule.
    Rule::provider("twilio-api-key", &["sk"], r"\bSK[0-9a-fA-F]{32}\b").accepting(has_digit),
    // SendGrid API key: `SG.`, 22 of [A-Za-z0-9_-], `.`, 43 of [A-Za-z0-9_-].
    Rule::provider(
        "sendgrid-api-key",
        &["sg."],
        r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}(?:[^A-Za-z0-9_\-]|$)",
    ),
    // Mailgun private API key: `key-` and 32 hex.
    Rule::provider("mailgun-api-key", &["key-"], r"\bkey-[0-9a-f]{32}\b").accepting(has_digit),
    // Mailchimp (Marketing API) key: 32 hex, `-us`, the datacentre number.
    Rule::provider("mailchimp-api-key", &["-us"], r"\b[0-9a-f]{32}-us\d{1,2}\b"),
    // Brevo (Sendinblue) API key `xkeysib-` or SMTP key `xsmtpsib-`: 64 hex, `-`, 16 base62.
    Rule::provider(
        "brevo-api-key",
        &["xkeysib-", "xsmtpsib-"],
        r"\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b",
    ),
];

fn not_placeholder(captures: &Captures) -> bool {
    super::plausible(captures) && !is_placeholder(&captures[0])
}

/// The token's first part is a bot's id: 17 to 20 digits, in base64.
fn discord_bot_id(captures: &Captures) -> bool {
    base64_decode(&captures[1])
        .is_some_and(|id| (17..=20).contains(&id.len()) && id.iter().all(u8::is_ascii_digit))
}
