//! Keys of payment and commerce platforms. Publishable keys (Stripe `pk_live_…`, Square application ids)
//! are meant for browsers and are not credentials here.

use super::Rule;

pub(super) static RULES: &[Rule] = &[
    // Stripe secret key: `sk_live_`, `sk_test_` (and `sk_prod_`), then 24–247 base62.
    Rule::provider(
        "stripe-secret-key",
        &["sk_live_", "sk_test_", "sk_prod_"],
        r"\bsk_(?:live|test|prod)_[0-9A-Za-z]{24,247}\b",
    ),
    // Stripe restricted key: `rk_live_`, `rk_test_`, then 24–247 base62.
    Rule::provider(
        "stripe-restricted-key",
        &["rk_live_", "rk_test_", "rk_prod_"],
        r"\brk_(?:live|test|prod)_[0-9A-Za-z]{24,247}\b",
    ),
    // Stripe webhook signing secret: `whsec_` and 32+ of base64.
    Rule::provider(
        "stripe-webhook-secret",
        &["whsec_"],
        r"\bwhsec_[A-Za-z0-9+/=]{32,}",
    ),
    // Square access token: `EAAA` and 60 of [A-Za-z0-9_-] (production and sandbox), exactly, so that a
    // base64 blob (an inline image) holding `EAAA` is not one; or the legacy `sq0atp-` and 22.
    Rule::provider(
        "square-access-token",
        &["eaaa", "sq0atp-"],
        r"(?:^|[^A-Za-z0-9+/_\-])(?:EAAA[A-Za-z0-9_\-]{60}|sq0atp-[A-Za-z0-9_\-]{22})(?:[^A-Za-z0-9+/=_\-]|$)",
    ),
    // Square OAuth application secret: `sq0csp-` and 43 of [A-Za-z0-9_-].
    Rule::provider(
        "square-oauth-secret",
        &["sq0csp-"],
        r"\bsq0csp-[A-Za-z0-9_\-]{43}",
    ),
    // PayPal / Braintree access token: `access_token$production$` (or `$sandbox$`), 16 base36, `$`, 32 hex.
    Rule::provider(
        "braintree-access-token",
        &["access_token$"],
        r"access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}",
    ),
    // Shopify access tokens: admin `shpat_`, custom app `shpca_`, private app `shppa_`, then 32 hex.
    Rule::provider(
        "shopify-access-token",
        &["shpat_", "shpca_", "shppa_"],
        r"\bshp(?:at|ca|pa)_[a-fA-F0-9]{32}\b",
    ),
    // Shopify app shared secret: `shpss_` and 32 hex.
    Rule::provider(
        "shopify-shared-secret",
        &["shpss_"],
        r"\bshpss_[a-fA-F0-9]{32}\b",
    ),
];
