//! Tokens of hosting, database and observability services.

use super::{has_digit, Rule};

pub(super) static RULES: &[Rule] = &[
    // Netlify: personal access tokens `nfp_`, OAuth `nfo_`, `nfc_`, then 36 base62.
    Rule::provider(
        "netlify-token",
        &["nfp_", "nfo_", "nfc_"],
        r"\bnf[pco]_[A-Za-z0-9]{36}\b",
    ),
    // New Relic: user API keys `NRAK-` and 27 upper-case base36; ingest keys `NRII-` and 32.
    Rule::provider(
        "new-relic-api-key",
        &["nrak-", "nrii-"],
        r"\bNR(?:AK-[A-Z0-9]{27}|II-[A-Za-z0-9_\-]{32})\b",
    ),
    // Sentry DSN: `https://<32 hex public key>[:<32 hex secret>]@<host with sentry>/<project id>`.
    Rule::provider(
        "sentry-dsn",
        &["sentry"],
        r"\bhttps?://[0-9a-f]{32}(?::[0-9a-f]{32})?@[A-Za-z0-9.\-]*sentry[A-Za-z0-9.\-]*(?::\d+)?/\d+",
    ),
    // Sentry auth tokens: organisation `sntrys_` and a base64 payload, user `sntryu_` and 64 hex.
    Rule::provider(
        "sentry-token",
        &["sntrys_", "sntryu_"],
        r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}",
    ),
    // Grafana: service-account tokens `glsa_`, 32 base62, `_`, 8 hex; Grafana Cloud tokens `glc_` and
    // 32+ of base64.
    Rule::provider(
        "grafana-token",
        &["glsa_", "glc_"],
        r"\b(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})",
    ),
    // Supabase: management API tokens `sbp_` and 40 hex; project secret keys `sb_secret_` and 20+.
    Rule::provider(
        "supabase-token",
        &["sbp_", "sb_secret_"],
        r"\b(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_\-]{20,})",
    )
    .accepting(has_digit),
    // PlanetScale: `pscale_tkn_` (service token), `pscale_oauth_`, `pscale_pw_` (password), then 32–64 of
    // [A-Za-z0-9_.=-].
    Rule::provider(
        "planetscale-token",
        &["pscale_"],
        r"\bpscale_(?:tkn|oauth|pw)_[A-Za-z0-9_.=\-]{32,64}",
    ),
];
