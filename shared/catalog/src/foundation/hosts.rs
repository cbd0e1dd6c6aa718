//! Host names in free text and configuration values: what a capability manifest's `network` lists, and
//! how a declared host covers one.

/// Whether a declared host covers `host`: the same host, or `*.domain` for any subdomain of `domain`.
pub(crate) fn host_covers(declared: &str, host: &str) -> bool {
    match declared.strip_prefix("*.") {
        Some(domain) => {
            host.len() > domain.len() && host.ends_with(domain) && {
                host.as_bytes()[host.len() - domain.len() - 1] == b'.'
            }
        }
        None => declared == host,
    }
}

/// Keys whose value is an address even without a scheme (`"base_url": "api.example.com/v1"`).
pub(crate) fn names_an_address(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.ends_with("url")
        || key.ends_with("uri")
        || key.ends_with("endpoint")
        || key.ends_with("host")
        || key.ends_with("hostname")
        || key == "api_base"
        || key == "base"
        || key == "server"
}

/// The host of every `scheme://host` in free text.
pub(crate) fn url_hosts(text: &str) -> Vec<String> {
    urls(text).into_iter().map(|url| url.host).collect()
}

/// A `scheme://host...` found in free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundUrl<'a> {
    /// Lowercase.
    pub(crate) scheme: String,
    /// As [`authority_host`] reads it: lowercase, without user info and port.
    pub(crate) host: String,
    /// Byte offsets of the whole URL in the text (up to whitespace or a quote).
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The URL as written, scheme to end.
    pub(crate) text: &'a str,
}

/// Every `scheme://host...` in free text.
pub(crate) fn urls(text: &str) -> Vec<FoundUrl<'_>> {
    let mut found = Vec::new();
    let mut offset = 0;
    while let Some(at) = text[offset..].find("://").map(|at| offset + at) {
        let before = &text[offset..at];
        let scheme_len: usize = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
            .map(char::len_utf8)
            .sum();
        let after = &text[at + 3..];
        if scheme_len > 0 {
            if let Some(host) = authority_host(after) {
                let start = at - scheme_len;
                let end = at
                    + 3
                    + after
                        .find(|c: char| {
                            c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`')
                        })
                        .unwrap_or(after.len());
                found.push(FoundUrl {
                    scheme: text[start..at].to_ascii_lowercase(),
                    host,
                    start,
                    end,
                    text: &text[start..end],
                });
            }
        }
        offset = at + 3;
    }
    found
}

/// A value that is an address without a scheme: `api.example.com`, `api.example.com:8443/v1`.
pub(crate) fn bare_host(text: &str) -> Option<String> {
    let text = text.trim();
    if text.contains("://") || text.contains(char::is_whitespace) {
        return None;
    }
    authority_host(text).filter(|host| host.contains('.') || host.starts_with('['))
}

/// The host at the start of a URL's authority: up to the path, query or fragment (or anything that cannot
/// be in a URL), without user info and port, lowercase.
fn authority_host(after_scheme: &str) -> Option<String> {
    let end = after_scheme
        .find(|c: char| {
            matches!(
                c,
                '/' | '?' | '#' | '\\' | '"' | '\'' | '<' | '>' | '`' | ')' | ',' | ';'
            ) || c.is_whitespace()
        })
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..end];
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host_port.starts_with('[') {
        &host_port[..host_port
            .find(']')
            .map_or(host_port.len(), |close| close + 1)]
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let valid = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')));
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls_in_any_text() {
        assert_eq!(
            url_hosts(
                "a (https://user:pw@Host.example:80/p) and ftp://files.example, not mailto:x@y.z"
            ),
            ["host.example", "files.example"]
        );
        assert_eq!(url_hosts("http://[::1]:8080/x"), ["[::1]"]);
        let found = urls("see HTTP://a.example/x?q={{secret}} now");
        assert_eq!(found.len(), 1);
        assert_eq!(
            (
                found[0].scheme.as_str(),
                found[0].host.as_str(),
                found[0].text
            ),
            ("http", "a.example", "HTTP://a.example/x?q={{secret}}")
        );
        assert_eq!((found[0].start, found[0].end), (4, 35));
        assert!(url_hosts("://nohost and https:///path").is_empty());
        assert_eq!(
            bare_host("api.example.com:8443/v1"),
            Some("api.example.com".into())
        );
        assert_eq!(bare_host("not a host"), None);
        assert_eq!(bare_host("localhost"), None);
    }

    #[test]
    fn a_wildcard_covers_subdomains_only() {
        assert!(host_covers("*.example.com", "a.b.example.com"));
        assert!(!host_covers("*.example.com", "example.com"));
        assert!(!host_covers("*.example.com", "badexample.com"));
        assert!(host_covers("example.com", "example.com"));
    }
}
