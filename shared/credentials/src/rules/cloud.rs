//! Keys and tokens of cloud platforms and their secret managers.

use super::{has_digit, random_value, Rule, Specificity};

pub(super) static RULES: &[Rule] = &[
    // AWS access key id: 20 characters, `AKIA` (long-term), `ASIA` (temporary), `ABIA`, `ACCA`, then 16 of
    // base32 upper case [A-Z2-7].
    Rule::provider(
        "aws-access-key-id",
        &["akia", "asia", "abia", "acca"],
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
    ),
    // AWS secret access key: 40 of base64 [A-Za-z0-9/+], unprefixed, so only next to `aws … secret|key`.
    Rule::new(
        "aws-secret-access-key",
        &["aws"],
        r#"(?i)(?:\b|_)aws[a-z0-9_\-. ]{0,30}?(?:secret|key)[a-z0-9_\-. ]{0,20}?["']?\s*(?:=>|[:=])\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        Specificity::Provider,
    )
    .accepting(random_value),
    // Google Cloud / Firebase / Gemini API key: `AIza` and 35 of [A-Za-z0-9_-].
    Rule::provider("gcp-api-key", &["aiza"], r"\bAIza[0-9A-Za-z_\-]{35}"),
    // Google OAuth 2.0 access token: `ya29.` and a long [A-Za-z0-9_-] run.
    Rule::provider(
        "google-oauth-access-token",
        &["ya29."],
        r"\bya29\.[0-9A-Za-z_\-]{30,}",
    ),
    // Google OAuth client secret: `GOCSPX-` and 28 of [A-Za-z0-9_-].
    Rule::provider(
        "google-oauth-client-secret",
        &["gocspx-"],
        r"\bGOCSPX-[0-9A-Za-z_\-]{28}",
    ),
    // Azure Storage connection string: `AccountKey=` and the 64-byte key in base64 (88 characters).
    Rule::provider(
        "azure-storage-account-key",
        &["accountkey"],
        r"(?i)\bAccountKey\s*=\s*[A-Za-z0-9+/]{40,100}={0,2}",
    ),
    // Azure Service Bus / Event Hubs / IoT Hub connection string: `SharedAccessKey=` and a 32-byte key in
    // base64 (44 characters).
    Rule::provider(
        "azure-shared-access-key",
        &["sharedaccesskey"],
        r"(?i)\bSharedAccessKey\s*=\s*[A-Za-z0-9+/]{40,}={0,2}",
    ),
    // Microsoft Entra ID (Azure AD) client secret: 3 characters, a digit, `Q~`, then 31–34 of
    // [A-Za-z0-9_~.-] (40 in all).
    Rule::provider(
        "azure-ad-client-secret",
        &["q~"],
        r"(?:^|[^A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?:[^A-Za-z0-9_~.\-]|$)",
    ),
    // DigitalOcean: `dop_v1_` (personal), `doo_v1_` (OAuth), `dor_v1_` (refresh) and 64 hex.
    Rule::provider(
        "digitalocean-token",
        &["_v1_"],
        r"\bdo[opr]_v1_[a-f0-9]{64}\b",
    ),
    // Heroku platform API key (v2): `HRKU-AA` and 58 of [A-Za-z0-9_-].
    Rule::provider("heroku-api-key", &["hrku-"], r"\bHRKU-AA[0-9A-Za-z_\-]{58}"),
    // Cloudflare Origin CA key: `v1.0-`, 24 hex, `-`, 146 hex.
    Rule::provider(
        "cloudflare-origin-ca-key",
        &["v1.0-"],
        r"\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b",
    ),
    // Databricks personal access token: `dapi` and 32 hex, optionally `-` and a digit.
    Rule::provider(
        "databricks-token",
        &["dapi"],
        r"\bdapi[a-f0-9]{32}(?:-\d)?\b",
    )
    .accepting(has_digit),
    // Fly.io: `fo1_` and 43 of [A-Za-z0-9_-]; macaroon tokens `fm1a_`, `fm1r_`, `fm2_` and 100+ of base64.
    Rule::provider(
        "flyio-token",
        &["fo1_", "fm1a_", "fm1r_", "fm2_"],
        r"\b(?:fo1_[A-Za-z0-9_\-]{43}|fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,}={0,3})",
    ),
    // HashiCorp Vault: service `hvs.`, batch `hvb.`, recovery `hvr.` and 24+ of [A-Za-z0-9_-].
    Rule::provider(
        "vault-token",
        &["hvs.", "hvb.", "hvr."],
        r"\bhv[sbr]\.[A-Za-z0-9_\-]{24,}",
    )
    .accepting(has_digit),
    // Terraform Cloud / Enterprise API token: 14 base62, `.atlasv1.`, 60–70 of [A-Za-z0-9_=-].
    Rule::provider(
        "terraform-cloud-token",
        &["atlasv1"],
        r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}",
    ),
    // Doppler: `dp.pt.` (personal), `dp.st.` (service), `dp.ct.` (CLI), `dp.sa.`, `dp.scim.`, `dp.audit.`
    // and 40–44 base62.
    Rule::provider(
        "doppler-token",
        &["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
        r"\bdp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}\b",
    ),
    // age secret key: `AGE-SECRET-KEY-1` and 58 of bech32 upper case.
    Rule::provider(
        "age-secret-key",
        &["age-secret-key-1"],
        r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b",
    ),
];
