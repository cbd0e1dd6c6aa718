//! Code and configuration that publishers paste into skills and prompts, which name credentials without
//! holding one: environment lookups, template syntax, secret references, documented local defaults.

use marketplace_credentials::scan_text;

const SNIPPETS: [&str; 37] = [
    "const apiKey = process.env.OPENAI_API_KEY;",
    "headers: { Authorization: `Bearer ${token}` }",
    "password = getpass.getpass()",
    "token = os.environ[\"GITHUB_TOKEN\"]",
    "api_key: !env OPENAI_API_KEY",
    "export TOKEN=$(vault read -field=token secret/x)",
    "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
    "curl -u \"$USER:$PASS\" https://api.example.com",
    "\"password\": \"<%= ENV['DB_PASSWORD'] %>\"",
    "PGPASSWORD=$DB_PASS psql -h db -U app",
    "client_secret=os.getenv(\"CLIENT_SECRET\")",
    "Set `OPENAI_API_KEY` in `.env` and restart.",
    "secretKeyRef: {name: db-secret, key: password}",
    "token = request.headers.get(\"X-Token\")",
    "auth: { username: 'admin', password: process.env.PASS }",
    "jwt.sign(payload, process.env.JWT_SECRET, { expiresIn: '1h' })",
    "const secret = crypto.randomBytes(32).toString('hex');",
    "password: str = Field(..., min_length=12)",
    "api_key = settings.OPENAI_API_KEY or os.environ.get('OPENAI_API_KEY')",
    "self.token_counter = TokenCounter(model='gpt-4o-mini')",
    "if password == confirm_password: save(user)",
    "hashed = bcrypt.hashpw(password.encode('utf-8'), bcrypt.gensalt())",
    "token_budget=128000000, key_prefix=acme_prod_v2",
    "access_token: ${{ steps.auth.outputs.access_token }}",
    "key: value pairs are separated by colons",
    "AUTH_DOMAIN=acme.us.auth0.com",
    "NEXTAUTH_URL=https://app.acme.dev/api/auth",
    "SESSION_SECRET=change-me-in-production",
    "api_key=sk-proj-....",
    "redis://default@localhost:6379",
    "amqp://guest:guest@localhost:5672/",
    "postgresql://postgres:postgres@localhost:5432/postgres",
    "mongodb://root:example@mongo:27017/",
    "https://github.com/acme/agents/blob/4e1243bd22c66e76c2ba9eddc1f91394e57f9f83/README.md",
    "Tokens: 1,234 in / 567 out. Cost: $0.0042",
    "The SECRET_KEY setting is read from the environment.",
    "Use the key=value format: api_key=<key>",
];

#[test]
fn snippets_that_only_refer_to_credentials_are_not_findings() {
    let found: Vec<String> = SNIPPETS
        .iter()
        .filter_map(|text| {
            let rules = scan_text(text);
            (!rules.is_empty()).then(|| format!("{text:?}: {rules:?}"))
        })
        .collect();
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}
