//! Keys of LLM providers and AI platforms.

use regex::Captures;

use super::{has_digit, Rule};

pub(super) static RULES: &[Rule] = &[
    // OpenAI: `sk-` and 48 base62 (legacy), or `sk-proj-`, `sk-svcacct-`, `sk-admin-` and ~150 of
    // [A-Za-z0-9_-]. OpenAI-compatible providers (DeepSeek, Moonshot, Langfuse) issue the same `sk-` shape.
    Rule::provider("openai-api-key", &["sk-"], r"\bsk-[A-Za-z0-9_\-]{20,}").accepting(openai),
    // Anthropic: `sk-ant-api03-`, `sk-ant-admin01-`, `sk-ant-oat01-` and ~95 of [A-Za-z0-9_-].
    Rule::provider(
        "anthropic-api-key",
        &["sk-ant-"],
        r"\bsk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_\-]{32,}",
    ),
    // OpenRouter: `sk-or-v1-` and 64 hex.
    Rule::provider(
        "openrouter-api-key",
        &["sk-or-"],
        r"\bsk-or-v1-[a-f0-9]{64}\b",
    ),
    // Hugging Face: user access tokens `hf_` and 34 letters; organisation tokens `api_org_` and 34.
    Rule::provider(
        "huggingface-token",
        &["hf_", "api_org_"],
        r"\b(?:hf|api_org)_[A-Za-z0-9]{34}\b",
    ),
    // Groq: `gsk_` and 52 base62.
    Rule::provider("groq-api-key", &["gsk_"], r"\bgsk_[A-Za-z0-9]{48,56}\b"),
    // Replicate: `r8_` and 37 base62.
    Rule::provider("replicate-api-token", &["r8_"], r"\br8_[A-Za-z0-9]{37}\b"),
    // Perplexity: `pplx-` and 48 base62.
    Rule::provider(
        "perplexity-api-key",
        &["pplx-"],
        r"\bpplx-[A-Za-z0-9]{48}\b",
    ),
    // xAI: `xai-` and 80 base62.
    Rule::provider("xai-api-key", &["xai-"], r"\bxai-[A-Za-z0-9]{80}\b"),
    // LangSmith: `lsv2_pt_` (personal) or `lsv2_sk_` (service), 32 hex, `_`, 10 hex.
    Rule::provider(
        "langsmith-api-key",
        &["lsv2_"],
        r"\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b",
    ),
    // Pinecone: `pcsk_`, a short key id, `_`, and ~64 base62.
    Rule::provider(
        "pinecone-api-key",
        &["pcsk_"],
        r"\bpcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{60,}\b",
    ),
    // NVIDIA NGC / build.nvidia.com: `nvapi-` and 64 of [A-Za-z0-9_-].
    Rule::provider("nvidia-api-key", &["nvapi-"], r"\bnvapi-[A-Za-z0-9_\-]{64}"),
];

/// An `sk-` key with a digit in it that no more specific rule claims (Anthropic's, OpenRouter's).
fn openai(captures: &Captures) -> bool {
    let key = &captures[0];
    !key.starts_with("sk-ant-")
        && !key.starts_with("sk-or-")
        && has_digit(captures)
        && !crate::randomness::is_placeholder(key)
}
