//! What a credential's value looks like when no prefix gives it away: random rather than words, a number, a
//! date or a placeholder. Also the base64 decoding that some rules check their match with.

/// Shannon entropy of the characters, in bits per character.
pub(crate) fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let total = text.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value stands for a credential instead of being one: a template variable (`{{api_key}}`,
/// `${API_KEY}`, `$API_KEY`, `%s`), an angle-bracketed hint (`<your-api-key>`), an elision (`sk-...`,
/// `xxxx`, `***`), or a word such as `password`, `changeme`, `your_token_here`.
pub(crate) fn is_placeholder(value: &str) -> bool {
    const WORDS: [&str; 10] = [
        "your",
        "example",
        "placeholder",
        "redacted",
        "changeme",
        "change_me",
        "dummy",
        "replace",
        "insert",
        "here",
    ];
    const WHOLE: [&str; 9] = [
        "password", "passwd", "pass", "secret", "token", "apikey", "api_key", "none", "null",
    ];
    let lower = value.to_ascii_lowercase();
    value.contains("...")
        || value.contains('…')
        || value.contains("{{")
        || value.contains("${")
        || value.starts_with(['<', '{', '$', '%', '[', '*'])
        || lower.contains("xxxx")
        || lower.contains("***")
        || WORDS.iter().any(|word| lower.contains(word))
        || WHOLE.contains(&lower.as_str())
}

/// Whether a value next to a credential word is itself a credential: at least 8 characters with no
/// whitespace, a letter and a digit (or a symbol inside a mixed-case run), entropy of at least 3 bits per
/// character, and not words (`prod/openai-key`, `OPENAI_API_KEY`), a URL, an ISO date or a placeholder.
pub(crate) fn looks_random(value: &str) -> bool {
    let bytes = value.as_bytes();
    // Cheapest first: most strings of content are prose or short.
    bytes.len() >= 8
        && !value.chars().any(char::is_whitespace)
        && value.chars().count() >= 8
        && bytes.iter().any(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .any(|b| b.is_ascii_digit() || b.is_ascii_punctuation())
        && !is_iso_date(value)
        && !is_words(value)
        && entropy(value) >= 3.0
        && !value.contains("://")
        && !is_placeholder(value)
}

/// Every run of letters and digits is a number (`2024`) or words (`prod`, `API`, `Claude`, `randomBytes`).
fn is_words(value: &str) -> bool {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| !run.is_empty())
        .all(|run| run.bytes().all(|b| b.is_ascii_digit()) || is_word_run(run))
}

/// Letters in one case, Capitalized, or camelCase whose every piece holds a vowel (`toString`, but not the
/// `mqvLp` of a token).
fn is_word_run(run: &str) -> bool {
    let bytes = run.as_bytes();
    if !bytes.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    if bytes.iter().all(u8::is_ascii_uppercase) || bytes[1..].iter().all(u8::is_ascii_lowercase) {
        return true;
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for (index, byte) in bytes.iter().enumerate().skip(1) {
        if byte.is_ascii_uppercase() {
            pieces.push(&bytes[start..index]);
            start = index;
        }
    }
    pieces.push(&bytes[start..]);
    pieces.iter().all(|piece| {
        piece.len() >= 2
            && piece[1..].iter().all(u8::is_ascii_lowercase)
            && piece.iter().any(|b| b"aeiouyAEIOUY".contains(b))
    })
}

fn is_iso_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
}

/// Decodes standard or URL-safe base64, padded or not; `None` if anything else is in it.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_are_told_from_words_numbers_dates_and_placeholders() {
        for value in [
            "Xk9#mq2vLp7R",
            "9f8e7d6c5b4a39281726354a",
            "hunter2-secret",
            "Tr0ub4dor&3x",
            "a1b2c3d4e5f6g7h8",
            "550e8400-e29b-41d4-a716-446655440000",
        ] {
            assert!(looks_random(value), "{value}");
        }
        for value in [
            "required",
            "OPENAI_API_KEY",
            "prod/openai-key-2024",
            "X-API-Key",
            "{{api_key}}",
            "${API_KEY}",
            "<your-api-key>",
            "sk-...",
            "xxxxxxxxxxxx",
            "2025-01-01T00:00:00Z",
            "https://api.openai.com/v1",
            "12345678901",
            "password1",
            "your_token_here",
            "Hello-World!",
            "crypto.randomBytes",
            "process.env.toString",
        ] {
            assert!(!looks_random(value), "{value}");
        }
    }

    #[test]
    fn entropy_counts_bits_per_character() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn base64_decodes_both_alphabets_with_or_without_padding() {
        assert_eq!(base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(base64_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64_decode("Pz8_").unwrap(), b"???");
        assert_eq!(base64_decode("not base64!"), None);
    }
}
