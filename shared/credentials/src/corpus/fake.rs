//! A deterministic generator of fake tokens: the documented shapes filled with pseudo-random characters from a
//! fixed seed, so every run plants the same values and none is a real credential.

pub(crate) const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const LOWER_ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub(crate) const HEX: &str = "0123456789abcdef";
pub(crate) const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub(crate) const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// AWS access key ids: base32 upper case.
pub(crate) const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// age keys: bech32, upper case.
pub(crate) const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
pub(crate) const DIGITS: &str = "0123456789";

/// SplitMix64 over a fixed seed.
pub(crate) struct Fake {
    state: u64,
}

impl Fake {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// `length` characters of `charset`, with a digit and a letter in them where the charset has both (as a
    /// random token of that length almost always does), and no run that reads as a placeholder.
    pub(crate) fn token(&mut self, charset: &str, length: usize) -> String {
        let chars: Vec<char> = charset.chars().collect();
        let mut token: Vec<char> = (0..length)
            .map(|_| chars[self.below(chars.len())])
            .collect();
        let digits: Vec<char> = chars.iter().copied().filter(char::is_ascii_digit).collect();
        let letters: Vec<char> = chars
            .iter()
            .copied()
            .filter(char::is_ascii_alphabetic)
            .collect();
        if length >= 4 && !digits.is_empty() && !letters.is_empty() {
            token[length / 2] = digits[self.below(digits.len())];
            token[length / 3] = letters[self.below(letters.len())];
        }
        let token: String = token.into_iter().collect();
        if crate::randomness::is_placeholder(&token) {
            return self.token(charset, length);
        }
        token
    }

    /// A number of `length` digits that does not start with 0.
    pub(crate) fn number(&mut self, length: usize) -> String {
        let first = char::from(b'1' + self.below(9) as u8);
        format!("{first}{}", self.token(DIGITS, length - 1))
    }

    /// A version 4 UUID, lower-case.
    pub(crate) fn uuid(&mut self) -> String {
        let hex = self.token(HEX, 32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..]
        )
    }

    /// A password a person or a generator would choose: letters and digits with a symbol inside.
    pub(crate) fn password(&mut self) -> String {
        const SYMBOLS: [char; 6] = ['#', '!', '%', '&', '*', '^'];
        let mut password = self.token(ALNUM, 14);
        password.insert(5, SYMBOLS[self.below(SYMBOLS.len())]);
        password
    }
}

/// Base64 of `bytes`: the standard alphabet with padding, or base64url without.
pub(crate) fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet: Vec<char> = if url { B64URL } else { B64 }.chars().collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize]);
        }
        if !url {
            out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::randomness::base64_decode;

    #[test]
    fn base64_round_trips() {
        for text in [
            "",
            "a",
            "ab",
            "abc",
            "user:Xk9#mq2vLp7R",
            "123456789012345678",
        ] {
            assert_eq!(
                base64_decode(&base64(text.as_bytes(), false)).unwrap(),
                text.as_bytes()
            );
            assert_eq!(
                base64_decode(&base64(text.as_bytes(), true)).unwrap(),
                text.as_bytes()
            );
        }
        assert_eq!(base64(b"user:pass", false), "dXNlcjpwYXNz");
    }

    #[test]
    fn the_same_seed_gives_the_same_tokens() {
        let (mut a, mut b) = (Fake::new(7), Fake::new(7));
        assert_eq!(a.token(ALNUM, 36), b.token(ALNUM, 36));
        assert_eq!(a.uuid().len(), 36);
    }
}
