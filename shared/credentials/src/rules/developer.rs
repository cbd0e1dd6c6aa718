//! Tokens of code hosts, package registries and developer tools.

use super::{has_digit, Rule};

pub(super) static RULES: &[Rule] = &[
    // GitHub classic personal access token: `ghp_` and 36 base62.
    Rule::provider("github-pat", &["ghp_"], r"\bghp_[A-Za-z0-9]{36}\b"),
    // GitHub fine-grained personal access token: `github_pat_`, 22 base62, `_`, 59 base62.
    Rule::provider(
        "github-fine-grained-pat",
        &["github_pat_"],
        r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
    ),
    // GitHub OAuth app token: `gho_` and 36 base62.
    Rule::provider("github-oauth-token", &["gho_"], r"\bgho_[A-Za-z0-9]{36}\b"),
    // GitHub App tokens: user-to-server `ghu_`, installation (server-to-server) `ghs_`, and 36 base62.
    Rule::provider(
        "github-app-token",
        &["ghu_", "ghs_"],
        r"\bgh[us]_[A-Za-z0-9]{36}\b",
    ),
    // GitHub refresh token: `ghr_` and 36–76 base62.
    Rule::provider(
        "github-refresh-token",
        &["ghr_"],
        r"\bghr_[A-Za-z0-9]{36,76}\b",
    ),
    // GitLab personal, project and group access token: `glpat-` and 20+ of [A-Za-z0-9_.-].
    Rule::provider("gitlab-pat", &["glpat-"], r"\bglpat-[A-Za-z0-9_\-.]{20,}"),
    // Other GitLab tokens, by their documented prefixes: deploy `gldt-`, runner `glrt-`, pipeline trigger
    // `glptt-`, CI job `glcbt-`, incoming mail `glimt-`, feed `glft-`, SCIM `glsoat-`, agent `glagent-`,
    // OAuth secret `gloas-`, feature flags client `glffct-`, workspace `glwt-`.
    Rule::provider(
        "gitlab-token",
        &[
            "gldt-", "glrt-", "glptt-", "glcbt-", "glimt-", "glft-", "glsoat-", "glagent-",
            "gloas-", "glffct-", "glwt-",
        ],
        r"\bgl(?:dt|rt|ptt|cbt|imt|ft|soat|agent|oas|ffct|wt)-[A-Za-z0-9_\-.]{20,}",
    ),
    // Bitbucket app password: `ATBB` and 32 of [A-Za-z0-9_=.-].
    Rule::provider(
        "bitbucket-app-password",
        &["atbb"],
        r"\bATBB[A-Za-z0-9_=.\-]{32,}",
    ),
    // Atlassian (Jira, Confluence) API token `ATATT3`, Bitbucket access token `ATCTT3`, then ~186 of
    // [A-Za-z0-9_=-].
    Rule::provider(
        "atlassian-api-token",
        &["atatt3", "atctt3"],
        r"\bAT(?:ATT|CTT)3[A-Za-z0-9_\-=]{60,}",
    ),
    // npm access token: `npm_` and 36 base62.
    Rule::provider("npm-token", &["npm_"], r"\bnpm_[A-Za-z0-9]{36}\b"),
    // PyPI API token: `pypi-` and a macaroon whose base64 starts with the issuer (`pypi.org` or
    // `test.pypi.org`).
    Rule::provider(
        "pypi-token",
        &["pypi-age"],
        r"\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,}",
    ),
    // crates.io API token: `cio` and 32 base62.
    Rule::provider("crates-io-token", &["cio"], r"\bcio[A-Za-z0-9]{32}\b").accepting(has_digit),
    // NuGet API key: `oy2` and 43 of lower-case base36.
    Rule::provider("nuget-api-key", &["oy2"], r"\boy2[a-z0-9]{43}\b"),
    // Docker Hub: personal access token `dckr_pat_`, organisation access token `dckr_oat_`, then 27+ of
    // [A-Za-z0-9_-].
    Rule::provider(
        "docker-hub-token",
        &["dckr_pat_", "dckr_oat_"],
        r"\bdckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,}",
    ),
    // RubyGems API key: `rubygems_` and 48 hex.
    Rule::provider(
        "rubygems-api-key",
        &["rubygems_"],
        r"\brubygems_[a-f0-9]{48}\b",
    ),
    // Postman API key: `PMAK-`, 24 hex, `-`, 34 hex.
    Rule::provider(
        "postman-api-key",
        &["pmak-"],
        r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b",
    ),
    // Linear personal API key: `lin_api_` and 40 base62.
    Rule::provider(
        "linear-api-key",
        &["lin_api_"],
        r"\blin_api_[A-Za-z0-9]{40}\b",
    ),
    // Notion integration token: `secret_` and 43 base62 (before September 2024), `ntn_` and 46 since.
    Rule::provider(
        "notion-token",
        &["secret_", "ntn_"],
        r"\b(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{46})\b",
    )
    .accepting(has_digit),
    // Airtable personal access token: `pat`, 14 base62, `.`, 64 hex.
    Rule::provider(
        "airtable-pat",
        &["pat"],
        r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b",
    ),
    // Figma: personal access tokens `figd_`, OAuth `figo_`/`figu_`, then 40 of [A-Za-z0-9_-].
    Rule::provider(
        "figma-token",
        &["figd_", "figo_", "figu_"],
        r"\bfig[dou]_[A-Za-z0-9_\-]{40}",
    ),
];
