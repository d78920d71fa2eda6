//! `fqdn[:port]` entries of `egress.allowFqdns`: checked by `check.rs`, turned into application
//! rules by `build/egress.rs`.

use crate::intent::At;

/// Why an `fqdn[:port]` entry cannot be an application rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FqdnPortError {
    /// The part after the last `:` is not a number.
    #[error("`{entry}`: `{port}` is not a port")]
    NotAPort {
        /// The entry as written.
        entry: String,
        /// The port part.
        port: String,
    },
    /// Azure Firewall application rules take ports 1-64000.
    #[error("`{0}`: application rule ports must be 1-64000")]
    PortOutOfRange(String),
    /// Not a DNS name (wildcards only as a leading `*.`).
    #[error("`{0}` is not a host name (expected e.g. api.github.com or *.github.com:443)")]
    NotAHostName(String),
}

/// Parses `fqdn[:port]` (port 443 when omitted). Wildcards only as a leading `*.`.
pub fn parse_fqdn_port(s: &At<String>) -> Result<(String, u16), FqdnPortError> {
    let raw = s.value.trim();
    let (host, port) = match raw.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>().map_err(|_| FqdnPortError::NotAPort {
                entry: raw.to_string(),
                port: p.to_string(),
            })?,
        ),
        None => (raw, 443),
    };
    if port == 0 || port > 64000 {
        return Err(FqdnPortError::PortOutOfRange(raw.to_string()));
    }
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
    };
    if bare.is_empty() || !bare.contains('.') || !bare.split('.').all(label_ok) {
        return Err(FqdnPortError::NotAHostName(raw.to_string()));
    }
    Ok((host.to_ascii_lowercase(), port))
}
