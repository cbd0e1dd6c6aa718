//! Fake credentials in the shapes of providers' keys: AI, cloud, hosting and developer platforms. `i` picks a
//! variant, so that each shape a rule covers is planted.

use super::fake::{ALNUM, B64, B64URL, BASE32, BECH32, HEX, LETTERS, LOWER_ALNUM, UPPER_ALNUM};
use super::Make;

pub(super) const FORMATS: &[(&str, Make)] = &[
    ("openai-api-key", |f, i| match i % 3 {
        0 => format!("sk-{}", f.token(ALNUM, 48)),
        1 => format!("sk-proj-{}", f.token(B64URL, 124)),
        _ => format!("sk-live-{}", f.token(LOWER_ALNUM, 24)),
    }),
    ("anthropic-api-key", |f, i| match i % 2 {
        0 => format!("sk-ant-api03-{}AA", f.token(B64URL, 93)),
        _ => format!("sk-ant-admin01-{}AA", f.token(B64URL, 93)),
    }),
    ("openrouter-api-key", |f, _| {
        format!("sk-or-v1-{}", f.token(HEX, 64))
    }),
    ("huggingface-token", |f, i| match i % 2 {
        0 => format!("hf_{}", f.token(LETTERS, 34)),
        _ => format!("api_org_{}", f.token(LETTERS, 34)),
    }),
    ("groq-api-key", |f, _| format!("gsk_{}", f.token(ALNUM, 52))),
    ("replicate-api-token", |f, _| {
        format!("r8_{}", f.token(ALNUM, 37))
    }),
    ("perplexity-api-key", |f, _| {
        format!("pplx-{}", f.token(ALNUM, 48))
    }),
    ("xai-api-key", |f, _| format!("xai-{}", f.token(ALNUM, 80))),
    ("langsmith-api-key", |f, i| {
        let kind = ["pt", "sk"][i % 2];
        format!("lsv2_{kind}_{}_{}", f.token(HEX, 32), f.token(HEX, 10))
    }),
    ("pinecone-api-key", |f, _| {
        format!("pcsk_{}_{}", f.token(ALNUM, 5), f.token(ALNUM, 64))
    }),
    ("nvidia-api-key", |f, _| {
        format!("nvapi-{}", f.token(B64URL, 64))
    }),
    ("aws-access-key-id", |f, i| {
        format!("{}{}", ["AKIA", "ASIA"][i % 2], f.token(BASE32, 16))
    }),
    ("aws-secret-access-key", |f, i| {
        let secret = f.token(B64, 40);
        match i % 3 {
            0 => format!("aws_secret_access_key = {secret}"),
            1 => format!("AWS_SECRET_ACCESS_KEY={secret}"),
            _ => format!(r#""awsSecretKey": "{secret}""#),
        }
    }),
    ("gcp-api-key", |f, _| format!("AIza{}", f.token(B64URL, 35))),
    ("google-oauth-access-token", |f, _| {
        format!("ya29.{}", f.token(B64URL, 150))
    }),
    ("google-oauth-client-secret", |f, _| {
        format!("GOCSPX-{}", f.token(B64URL, 28))
    }),
    ("azure-storage-account-key", |f, i| {
        format!(
            "DefaultEndpointsProtocol=https;AccountName=acme{i}store;AccountKey={}==;EndpointSuffix=core.windows.net",
            f.token(B64, 86)
        )
    }),
    ("azure-shared-access-key", |f, i| {
        format!(
            "Endpoint=sb://acme-{i}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}=",
            f.token(B64, 43)
        )
    }),
    ("azure-ad-client-secret", |f, _| {
        let body: String = f.token(B64URL, 34).replace('-', "~");
        format!("{}{}Q~{body}", f.token(ALNUM, 3), f.below(10))
    }),
    ("digitalocean-token", |f, i| {
        format!("do{}_v1_{}", ["p", "o", "r"][i % 3], f.token(HEX, 64))
    }),
    ("heroku-api-key", |f, _| {
        format!("HRKU-AA{}", f.token(B64URL, 58))
    }),
    ("cloudflare-origin-ca-key", |f, _| {
        format!("v1.0-{}-{}", f.token(HEX, 24), f.token(HEX, 146))
    }),
    ("databricks-token", |f, i| match i % 2 {
        0 => format!("dapi{}", f.token(HEX, 32)),
        _ => format!("dapi{}-2", f.token(HEX, 32)),
    }),
    ("flyio-token", |f, i| match i % 2 {
        0 => format!("fo1_{}", f.token(B64URL, 43)),
        _ => format!("fm2_{}", f.token(B64, 120)),
    }),
    ("vault-token", |f, i| {
        format!("{}.{}", ["hvs", "hvb"][i % 2], f.token(B64URL, 91))
    }),
    ("terraform-cloud-token", |f, _| {
        format!("{}.atlasv1.{}", f.token(ALNUM, 14), f.token(ALNUM, 67))
    }),
    ("doppler-token", |f, i| {
        format!("dp.{}.{}", ["pt", "st", "ct"][i % 3], f.token(ALNUM, 43))
    }),
    ("age-secret-key", |f, _| {
        format!("AGE-SECRET-KEY-1{}", f.token(BECH32, 58))
    }),
    ("netlify-token", |f, _| {
        format!("nfp_{}", f.token(ALNUM, 36))
    }),
    ("new-relic-api-key", |f, _| {
        format!("NRAK-{}", f.token(UPPER_ALNUM, 27))
    }),
    ("sentry-dsn", |f, i| match i % 2 {
        0 => format!(
            "https://{}@o{}.ingest.us.sentry.io/{}",
            f.token(HEX, 32),
            f.number(6),
            f.number(7)
        ),
        _ => format!(
            "https://{}@sentry.acme.dev/{}",
            f.token(HEX, 32),
            f.number(2)
        ),
    }),
    ("sentry-token", |f, _| {
        format!("sntryu_{}", f.token(HEX, 64))
    }),
    ("grafana-token", |f, i| match i % 2 {
        0 => format!("glsa_{}_{}", f.token(ALNUM, 32), f.token(HEX, 8)),
        _ => format!("glc_{}", f.token(B64, 64)),
    }),
    ("supabase-token", |f, _| format!("sbp_{}", f.token(HEX, 40))),
    ("planetscale-token", |f, i| {
        format!("pscale_{}_{}", ["tkn", "pw"][i % 2], f.token(ALNUM, 43))
    }),
    ("github-pat", |f, _| format!("ghp_{}", f.token(ALNUM, 36))),
    ("github-fine-grained-pat", |f, _| {
        format!("github_pat_{}_{}", f.token(ALNUM, 22), f.token(ALNUM, 59))
    }),
    ("github-oauth-token", |f, _| {
        format!("gho_{}", f.token(ALNUM, 36))
    }),
    ("github-app-token", |f, i| {
        format!("gh{}_{}", ["u", "s"][i % 2], f.token(ALNUM, 36))
    }),
    ("github-refresh-token", |f, _| {
        format!("ghr_{}", f.token(ALNUM, 76))
    }),
    ("gitlab-pat", |f, _| {
        format!("glpat-{}", f.token(B64URL, 20))
    }),
    ("gitlab-token", |f, i| {
        format!(
            "{}-{}",
            ["gldt", "glrt", "glptt"][i % 3],
            f.token(B64URL, 20)
        )
    }),
    ("bitbucket-app-password", |f, _| {
        format!("ATBB{}", f.token(ALNUM, 32))
    }),
    ("atlassian-api-token", |f, _| {
        format!(
            "ATATT3xFfGF0{}={}",
            f.token(B64URL, 170),
            f.token(HEX, 8).to_uppercase()
        )
    }),
    ("npm-token", |f, _| format!("npm_{}", f.token(ALNUM, 36))),
    ("pypi-token", |f, _| {
        format!("pypi-AgEIcHlwaS5vcmc{}", f.token(B64URL, 160))
    }),
    ("crates-io-token", |f, _| {
        format!("cio{}", f.token(ALNUM, 32))
    }),
    ("nuget-api-key", |f, _| {
        format!("oy2{}", f.token(LOWER_ALNUM, 43))
    }),
    ("docker-hub-token", |f, i| {
        format!("dckr_{}_{}", ["pat", "oat"][i % 2], f.token(B64URL, 27))
    }),
    ("rubygems-api-key", |f, _| {
        format!("rubygems_{}", f.token(HEX, 48))
    }),
    ("postman-api-key", |f, _| {
        format!("PMAK-{}-{}", f.token(HEX, 24), f.token(HEX, 34))
    }),
    ("linear-api-key", |f, _| {
        format!("lin_api_{}", f.token(ALNUM, 40))
    }),
    ("notion-token", |f, i| match i % 2 {
        0 => format!("secret_{}", f.token(ALNUM, 43)),
        _ => format!("ntn_{}", f.token(ALNUM, 46)),
    }),
    ("airtable-pat", |f, _| {
        format!("pat{}.{}", f.token(ALNUM, 14), f.token(HEX, 64))
    }),
    ("figma-token", |f, _| {
        format!("figd_{}", f.token(B64URL, 40))
    }),
];
