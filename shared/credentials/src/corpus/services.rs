//! Fake credentials of chat, mail and payment services, credential-carrying structures (JWTs, key blocks,
//! authorisation headers, URLs, connection strings) and credentials named in text.

use super::fake::{base64, ALNUM, B64, B64URL, HEX, LOWER_ALNUM, UPPER_ALNUM};
use super::Make;

pub(super) const FORMATS: &[(&str, Make)] = &[
    ("slack-bot-token", |f, _| {
        format!(
            "xoxb-{}-{}-{}",
            f.number(12),
            f.number(13),
            f.token(ALNUM, 24)
        )
    }),
    ("slack-user-token", |f, _| {
        format!(
            "xoxp-{}-{}-{}-{}",
            f.number(12),
            f.number(12),
            f.number(13),
            f.token(HEX, 32)
        )
    }),
    ("slack-legacy-token", |f, i| {
        let kind = ["a", "r", "s"][i % 3];
        format!("xox{kind}-{}-{}", f.number(12), f.token(ALNUM, 40))
    }),
    ("slack-config-token", |f, i| match i % 2 {
        0 => format!("xoxe.xoxp-1-{}", f.token(ALNUM, 140)),
        _ => format!("xoxe-1-{}", f.token(ALNUM, 140)),
    }),
    ("slack-app-token", |f, _| {
        format!(
            "xapp-1-A{}-{}-{}",
            f.token(UPPER_ALNUM, 10),
            f.number(13),
            f.token(HEX, 64)
        )
    }),
    ("slack-webhook", |f, _| {
        format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            f.token(UPPER_ALNUM, 8),
            f.token(UPPER_ALNUM, 10),
            f.token(ALNUM, 24)
        )
    }),
    ("discord-webhook", |f, i| {
        let host = ["discord.com", "discordapp.com", "canary.discord.com"][i % 3];
        format!(
            "https://{host}/api/webhooks/{}/{}",
            f.number(19),
            f.token(B64URL, 68)
        )
    }),
    ("discord-bot-token", |f, i| {
        let id = f.number([18, 19][i % 2]);
        let hmac = f.token(B64URL, [27, 38][i % 2]);
        format!(
            "{}.{}.{hmac}",
            base64(id.as_bytes(), true),
            f.token(B64URL, 6)
        )
    }),
    ("telegram-bot-token", |f, i| match i % 2 {
        0 => format!("{}:AA{}", f.number(10), f.token(B64URL, 33)),
        _ => format!(
            "https://api.telegram.org/bot{}:AA{}/sendMessage",
            f.number(9),
            f.token(B64URL, 33)
        ),
    }),
    ("teams-webhook", |f, i| {
        format!(
            "https://acme{i}.webhook.office.com/webhookb2/{}@{}/IncomingWebhook/{}/{}",
            f.uuid(),
            f.uuid(),
            f.token(HEX, 32),
            f.uuid()
        )
    }),
    ("twilio-api-key", |f, _| format!("SK{}", f.token(HEX, 32))),
    ("sendgrid-api-key", |f, _| {
        format!("SG.{}.{}", f.token(B64URL, 22), f.token(B64URL, 43))
    }),
    ("mailgun-api-key", |f, _| {
        format!("key-{}", f.token(HEX, 32))
    }),
    ("mailchimp-api-key", |f, i| {
        format!("{}-us{}", f.token(HEX, 32), 1 + i * 7 % 21)
    }),
    ("brevo-api-key", |f, _| {
        format!("xkeysib-{}-{}", f.token(HEX, 64), f.token(ALNUM, 16))
    }),
    ("stripe-secret-key", |f, i| {
        format!("sk_{}_{}", ["live", "test"][i % 2], f.token(ALNUM, 99))
    }),
    ("stripe-restricted-key", |f, _| {
        format!("rk_live_{}", f.token(ALNUM, 99))
    }),
    ("stripe-webhook-secret", |f, _| {
        format!("whsec_{}", f.token(ALNUM, 32))
    }),
    ("square-access-token", |f, i| match i % 2 {
        0 => format!("EAAA{}", f.token(B64URL, 60)),
        _ => format!("sq0atp-{}", f.token(B64URL, 22)),
    }),
    ("square-oauth-secret", |f, _| {
        format!("sq0csp-{}", f.token(B64URL, 43))
    }),
    ("braintree-access-token", |f, _| {
        format!(
            "access_token$production${}${}",
            f.token(LOWER_ALNUM, 16),
            f.token(HEX, 32)
        )
    }),
    ("shopify-access-token", |f, i| {
        format!("shp{}_{}", ["at", "ca", "pa"][i % 3], f.token(HEX, 32))
    }),
    ("shopify-shared-secret", |f, _| {
        format!("shpss_{}", f.token(HEX, 32))
    }),
    ("jwt", |f, i| {
        let header = [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"alg":"RS256","kid":"k1"}"#,
        ][i % 2];
        let payload = format!(r#"{{"sub":"{}","iat":{}}}"#, f.uuid(), f.number(10));
        format!(
            "{}.{}.{}",
            base64(header.as_bytes(), true),
            base64(payload.as_bytes(), true),
            f.token(B64URL, 43)
        )
    }),
    ("pem-private-key", |f, i| {
        let label = ["RSA ", "", "EC ", "OPENSSH "][i % 4];
        let body: Vec<String> = (0..4).map(|_| f.token(B64, 64)).collect();
        format!(
            "-----BEGIN {label}PRIVATE KEY-----\n{}\n-----END {label}PRIVATE KEY-----",
            body.join("\n")
        )
    }),
    ("pgp-private-key", |f, _| {
        let body: Vec<String> = (0..4).map(|_| f.token(B64, 64)).collect();
        format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}\n={}\n-----END PGP PRIVATE KEY BLOCK-----",
            body.join("\n"),
            f.token(B64, 4)
        )
    }),
    ("bearer-token", |f, _| {
        format!("Bearer {}", f.token(B64URL, 40))
    }),
    ("basic-auth", |f, i| {
        let user = ["svc-deploy", "admin", ""][i % 3];
        let pair = format!("{user}:{}", f.password());
        format!("Basic {}", base64(pair.as_bytes(), false))
    }),
    ("url-credentials", |f, i| match i % 3 {
        0 => format!(
            "https://deploy:{}/{}@git.acme.dev/org/repo.git",
            f.token(ALNUM, 6),
            f.token(ALNUM, 8)
        ),
        1 => format!("ftp://backup:{}@files.acme.org/nightly/", f.password()),
        _ => format!(
            "https://ci-bot:p@{}@registry.acme.io:5000/v2/",
            f.token(ALNUM, 12)
        ),
    }),
    ("database-connection-string", |f, i| {
        let password = f.password();
        match i % 4 {
            0 => format!("postgres://app:{password}@db.internal:5432/prod?sslmode=require"),
            1 => format!(
                "mongodb+srv://svc:{password}@cluster0.ab12c.mongodb.net/app?retryWrites=true"
            ),
            2 => format!("redis://:{password}@cache.internal:6379/0"),
            _ => format!("mysql://root:{password}@10.0.0.5:3306/shop"),
        }
    }),
    ("connection-string-password", |f, i| {
        let password = f.password();
        match i % 2 {
            0 => format!(
                "Server=tcp:sql{i}.database.windows.net,1433;Initial Catalog=orders;User ID=app;Password={password};Encrypt=True;"
            ),
            _ => format!("Data Source=db01;User Id=sa;Pwd={password};"),
        }
    }),
    ("generic-credential", |f, i| match i % 7 {
        0 => format!("password={}", f.password()),
        1 => format!("api_key: {}", f.token(HEX, 32)),
        2 => format!(r#""client_secret": "{}""#, f.token(B64, 40)),
        3 => format!("my password is {}", f.password()),
        4 => format!("X-Api-Key: {}", f.token(ALNUM, 32)),
        5 => format!("DB_PASS={}", f.password()),
        _ => format!("the access token = {}", f.token(ALNUM, 40)),
    }),
];
