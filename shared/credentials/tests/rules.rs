//! Each rule family as a table of texts and the rules they must give: the examples the issue names, and the
//! look-alikes that publishers write every day and that must pass. Tokens are fake, built from `random`.

use marketplace_credentials::scan_text;

/// `length` characters cycling through a fixed random-looking base62 string (no real credential).
fn random(length: usize) -> String {
    const POOL: &str = "q8ZkT2vN7xLp4RbW9mYc3HsJ6dFg1KtQe5UaVn0XiPoBrE7hG2jS9wAyMz4CfD6lu";
    POOL.chars().cycle().take(length).collect()
}

fn hex(length: usize) -> String {
    const POOL: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08e3";
    POOL.chars().cycle().take(length).collect()
}

fn letters(length: usize) -> String {
    random(length * 2)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(length)
        .collect()
}

/// Checks every row, and reports all the rows that fail at once.
fn check(rows: &[(String, &[&str])]) {
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(text, expected)| {
            let found = scan_text(text);
            (found != *expected)
                .then(|| format!("{text:?}: expected {expected:?}, found {found:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn row(
    text: impl Into<String>,
    expected: &'static [&'static str],
) -> (String, &'static [&'static str]) {
    (text.into(), expected)
}

#[test]
fn llm_provider_keys() {
    check(&[
        row(
            "Call the API with sk-live-abcdef1234567890abcdef",
            &["openai-api-key"],
        ),
        row(
            format!("OPENAI_API_KEY=sk-proj-{}", random(80)),
            &["openai-api-key"],
        ),
        row(
            format!("key: sk-ant-api03-{}AA", random(93)),
            &["anthropic-api-key"],
        ),
        row(format!("sk-or-v1-{}", hex(64)), &["openrouter-api-key"]),
        row(
            format!("HF_TOKEN=hf_{}", letters(34)),
            &["huggingface-token"],
        ),
        row(
            format!("use gsk_{} for Groq", random(52)),
            &["groq-api-key"],
        ),
        row(format!("r8_{}", random(37)), &["replicate-api-token"]),
        row(format!("pplx-{}", random(48)), &["perplexity-api-key"]),
        row(format!("xai-{}", random(80)), &["xai-api-key"]),
        row("sk-...", &[]),
        row("Example: sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &[]),
        row("Use an sk-learn-compatible-estimator-wrapper here", &[]),
        row("hf_hub_download(repo_id='meta-llama/Llama-3.1-8B')", &[]),
        row("Run task-1234567890abcdefghij1234 again", &[]),
        row(
            "Models: gpt-4.1, claude-sonnet-4-5, meta-llama/Llama-3.1-70B-Instruct",
            &[],
        ),
    ]);
}

#[test]
fn cloud_keys() {
    check(&[
        row("AKIAJ7QZ2X5VB3N6K4LM in the text", &["aws-access-key-id"]),
        row(
            format!("aws_secret_access_key = {}", random(40)),
            &["aws-secret-access-key"],
        ),
        row(format!("AIza{}", random(35)), &["gcp-api-key"]),
        row(
            format!("ya29.{}", random(120)),
            &["google-oauth-access-token"],
        ),
        row(
            format!(
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey={}==",
                random(86)
            ),
            &["azure-storage-account-key"],
        ),
        row(format!("dop_v1_{}", hex(64)), &["digitalocean-token"]),
        row(format!("hvs.{}", random(90)), &["vault-token"]),
        row("Regions: ASIA-PACIFIC, EU-WEST; ASIAPACIFICREGIONS", &[]),
        row("AKIAXXXXXXXXXXXXXXXX", &[]),
        row(
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=<key>",
            &[],
        ),
        row("aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}", &[]),
        row("The AWS Secrets Manager path is prod/openai/api-key", &[]),
    ]);
}

#[test]
fn code_host_and_registry_tokens() {
    check(&[
        row(
            format!("Push with ghp_{} please", random(36)),
            &["github-pat"],
        ),
        row(
            format!("github_pat_{}_{}", random(22), random(59)),
            &["github-fine-grained-pat"],
        ),
        row(format!("glpat-{}", random(20)), &["gitlab-pat"]),
        row(
            format!("//registry.npmjs.org/:_authToken=npm_{}", random(36)),
            &["npm-token"],
        ),
        row(
            format!("pypi-AgEIcHlwaS5vcmc{}", random(120)),
            &["pypi-token"],
        ),
        row(format!("cio{}", random(32)), &["crates-io-token"]),
        row(format!("dckr_pat_{}", random(27)), &["docker-hub-token"]),
        row("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &[]),
        row("Set GITHUB_TOKEN to a ghp_… token with repo scope", &[]),
        row("Clone git@github.com:acme/agents.git", &[]),
        row("Commit 4e1243bd22c66e76c2ba9eddc1f91394e57f9f83", &[]),
        row("npm_config_registry and npm_package_version", &[]),
        row("The pattern and path options", &[]),
    ]);
}

#[test]
fn chat_and_mail_tokens_and_webhooks() {
    let discord_id = "MTIzNDU2Nzg5MDEyMzQ1Njc4"; // base64 of "123456789012345678"
    check(&[
        row(
            format!("xoxb-123456789012-1234567890123-{}", random(24)),
            &["slack-bot-token"],
        ),
        row(
            format!("xapp-1-A0123456789-1234567890123-{}", hex(64)),
            &["slack-app-token"],
        ),
        row(
            format!(
                "https://hooks.slack.com/services/T0123ABCD/B0123456789/{}",
                random(24)
            ),
            &["slack-webhook"],
        ),
        row(
            format!(
                "https://discord.com/api/webhooks/1234567890123456789/{}",
                random(68)
            ),
            &["discord-webhook"],
        ),
        row(
            format!("{discord_id}.GhIjKl.{}", random(38)),
            &["discord-bot-token"],
        ),
        row(
            format!("bot token 1234567890:AA{}", random(33)),
            &["telegram-bot-token"],
        ),
        row(
            format!("SG.{}.{}", random(22), random(43)),
            &["sendgrid-api-key"],
        ),
        row(format!("key-{}", hex(32)), &["mailgun-api-key"]),
        row(format!("{}-us14", hex(32)), &["mailchimp-api-key"]),
        row(
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            &[],
        ),
        row(
            "Post to #eng-alerts in Slack; webhooks are configured by admins",
            &[],
        ),
        row("a key-value store; the SKU list; SG.1 section", &[]),
        row("Version 1.2.3.4567890123456789012345678 of the app", &[]),
        row("Time 12:30:00, ratio 16:9, note: A", &[]),
    ]);
}

#[test]
fn payment_keys() {
    check(&[
        row(format!("sk_live_{}", random(99)), &["stripe-secret-key"]),
        row(format!("rk_test_{}", random(40)), &["stripe-restricted-key"]),
        row(format!("whsec_{}", random(32)), &["stripe-webhook-secret"]),
        row(format!("EAAA{}", random(60)), &["square-access-token"]),
        row(
            format!("access_token$production${}${}", "a1b2c3d4e5f6g7h8", hex(32)),
            &["braintree-access-token"],
        ),
        row(format!("shpat_{}", hex(32)), &["shopify-access-token"]),
        row(format!("pk_live_{}", random(99)), &[]),
        row("sk_test_... goes on the server", &[]),
        row("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", &[]),
    ]);
}

#[test]
fn structures_that_carry_credentials() {
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n{}\n-----END RSA PRIVATE KEY-----",
        random(64),
        random(64)
    );
    check(&[
        row(format!("Authorization: Bearer {jwt}"), &["jwt"]),
        row(pem, &["pem-private-key"]),
        row(
            format!("-----BEGIN OPENSSH PRIVATE KEY-----\\n{}", random(70)),
            &["pem-private-key"],
        ),
        row(
            format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}", random(64)),
            &["pgp-private-key"],
        ),
        row(
            format!("Authorization: Bearer {}", random(40)),
            &["bearer-token"],
        ),
        row(
            "Authorization: Basic c3ZjOlhrOSNtcTJ2THA3Ug==",
            &["basic-auth"],
        ),
        row(
            "https://user:pa/ss@host.example.com/path",
            &["url-credentials"],
        ),
        row(
            "https://ci:p@ss@registry.example.com:5000/v2/",
            &["url-credentials"],
        ),
        row(
            "postgres://app:Xk9mq2vLp7R@db.internal:5432/prod",
            &["database-connection-string"],
        ),
        row(
            "mongodb+srv://svc:Xk9mq2vLp7R@cluster0.ab12c.mongodb.net/app",
            &["database-connection-string"],
        ),
        row(
            "redis://:Xk9mq2vLp7R@cache:6379/0",
            &["database-connection-string"],
        ),
        row(
            "Server=db;Database=orders;User Id=app;Password=Xk9mq2vLp7R;",
            &["connection-string-password"],
        ),
        row("postgres://localhost:5432/db", &[]),
        row("https://user@host.example.com/login", &[]),
        row("https://user:password@host.example.com", &[]),
        row("mailto:support@example.com", &[]),
        row("ssh://git@github.com/acme/agents.git", &[]),
        row("https://mastodon.social:443/users/@alice", &[]),
        row("https://example.com/a?next=https://example.com/b@c", &[]),
        row(
            "Bearer {{token}} / Bearer <token> / Bearer $TOKEN / Bearer YOUR_ACCESS_TOKEN_HERE",
            &[],
        ),
        row(
            "Basic usage: call the API. Basic authentication is deprecated.",
            &[],
        ),
        row(
            "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            &[],
        ),
        row(
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
                random(64)
            ),
            &[],
        ),
        row(format!("-----BEGIN CERTIFICATE-----\n{}", random(64)), &[]),
        row("Server=db;Database=orders;Trusted_Connection=True;", &[]),
        row("Server=db;User Id=app;Password=${DB_PASSWORD};", &[]),
        row("eyJhbGciOiJIUzI1NiJ9 is a JWT header", &[]),
        // What the display policy left in stored content.
        row(
            "postgres://app:[redacted]@db/prod and Bearer [redacted]",
            &[],
        ),
        row("password=[redacted]", &[]),
    ]);
}

#[test]
fn credentials_named_in_text() {
    check(&[
        row("password=Xk9#mq2vLp7R", &["generic-credential"]),
        row(format!("api_key: {}", hex(32)), &["generic-credential"]),
        row(
            format!(r#"{{"client_secret": "{}"}}"#, random(40)),
            &["generic-credential"],
        ),
        row("my password is Tr0ub4dor&3x", &["generic-credential"]),
        row(
            format!("X-Api-Key: {}", random(32)),
            &["generic-credential"],
        ),
        row(
            format!("Authorization: Token {}", hex(40)),
            &["generic-credential"],
        ),
        row("dbPassword := hunter2-secret", &["generic-credential"]),
        // Providers whose keys have no prefix, named.
        row(format!("DD_API_KEY={}", hex(32)), &["generic-credential"]),
        row(
            format!(r#""cohere_key": "{}""#, random(40)),
            &["generic-credential"],
        ),
        row("password: required", &[]),
        row("Count the tokens: the token count is 4096", &[]),
        row("Set your API key in settings before you start", &[]),
        row("max_tokens: 4096", &[]),
        row(
            "api_key: {{api_key}}; token: ${TOKEN}; secret: <your-secret>",
            &[],
        ),
        row("password: ********", &[]),
        row("tokenizer: cl100k_base", &[]),
        row("secret_name: prod/openai-key-2025", &[]),
        row("token_url: https://oauth2.googleapis.com/token", &[]),
        row("api_key_env: OPENAI_API_KEY", &[]),
        row("request_id: 550e8400-e29b-41d4-a716-446655440000", &[]),
        row(
            "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            &[],
        ),
        row("Never ask the user for their password or API key.", &[]),
        row("Rotate your tokens every 90 days.", &[]),
        row("token_expiry: 2025-01-01T00:00:00Z", &[]),
        row("auth_method: clientCredentials", &[]),
        row("idempotency key: 8f14e45f-ceea-467f-a0e6-1c6f1f1b2a3c", &[]),
        row(
            "Sort key = evt_9f8e7d6c12; the primary key is user_id_2024",
            &[],
        ),
        row("auth_provider: auth0|5f7c8ec7c33c6c004bbafe82", &[]),
    ]);
}
