//! The encoding functions of Microsoft Learn template-functions-string (`base64`,
//! `base64ToString`, `base64ToJson`, `dataUri`, `dataUriToString`, `uri`, `uriComponent`,
//! `uriComponentToString`), kept apart from the text functions of [`super::string`].

use serde_json::Value as Json;

use super::{k, Call, Ev, Fun, MAX_STRING};
use crate::value::{EvalError, Value};

/// The encoding function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "base64" => base64,
        "base64tostring" => base64_to_string,
        "base64tojson" => base64_to_json,
        "datauri" => data_uri,
        "datauritostring" => data_uri_to_string,
        "uri" => uri,
        "uricomponent" => uri_component,
        "uricomponenttostring" => uri_component_to_string,
        _ => return None,
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn encode64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 (padding optional, whitespace ignored), or `None` if it is not base64.
fn decode64(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect::<Vec<_>>();
    let body = digits
        .strip_suffix(b"==")
        .or_else(|| digits.strip_suffix(b"="));
    let body = body.unwrap_or(&digits);
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for &c in body {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Argument `i` decoded from base64 to text.
fn text_of_base64(c: &Call, v: &[Json], i: usize) -> Result<String, EvalError> {
    let s = c.str(v, i)?;
    decode64(s)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .ok_or_else(|| c.bad_value(i, "a base64 string", format!("'{s}'")))
}

fn base64(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::String(encode64(c.str(v, 0)?.as_bytes())))
}

fn base64_to_string(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::String(text_of_base64(c, v, 0)?))
}

fn base64_to_json(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let text = text_of_base64(c, v, 0)?;
    serde_json::from_str(&text)
        .map(Value::Known)
        .map_err(|e| c.bad_value(0, "base64 of valid JSON", e.to_string()))
}

fn data_uri(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    k(Json::String(format!(
        "data:text/plain;charset=utf8;base64,{}",
        encode64(s.as_bytes())
    )))
}

fn data_uri_to_string(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    let bad = || c.bad_value(0, "a data URI such as 'data:;base64,...'", format!("'{s}'"));
    let rest = s.strip_prefix("data:").ok_or_else(bad)?;
    let (meta, data) = rest.split_once(',').ok_or_else(bad)?;
    let text = if meta.to_ascii_lowercase().ends_with(";base64") {
        String::from_utf8_lossy(&decode64(data).ok_or_else(bad)?).into_owned()
    } else {
        percent_decode(data)
    };
    k(Json::String(text))
}

/// Whether `b` is left as is by `uriComponent` (RFC 3986 unreserved characters).
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn uri_component(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    if s.len().saturating_mul(3) > MAX_STRING {
        return Err(c.bad_value(
            0,
            &format!("a string of at most {} bytes", MAX_STRING / 3),
            format!("{} bytes", s.len()),
        ));
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    k(Json::String(out))
}

/// `%XX` sequences decoded (as UTF-8); malformed sequences are kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |x: u8| (x as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|&x| hex(x)),
            b.get(i + 2).and_then(|&x| hex(x)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (x, _, _) => {
                out.push(x);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn uri_component_to_string(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::String(percent_decode(c.str(v, 0)?)))
}

/// `uri(baseUri, relativeUri)`: the relative reference resolved against the absolute base
/// (RFC 3986 section 5.2, without dot-segment removal): a relative path replaces what follows
/// the base's last `/`.
fn uri(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let (base, rel) = (c.str(v, 0)?, c.str(v, 1)?);
    let Some((scheme, after)) = base.split_once("://") else {
        return Err(c.bad_value(
            0,
            "an absolute URI such as 'https://host/path/'",
            format!("'{base}'"),
        ));
    };
    let has_scheme = |s: &str| {
        s.split_once(':').is_some_and(|(sch, _)| {
            !sch.is_empty()
                && sch.starts_with(|ch: char| ch.is_ascii_alphabetic())
                && sch
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "+-.".contains(ch))
        })
    };
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let origin = &base[..scheme.len() + 3 + authority_end];
    let out = if has_scheme(rel) {
        rel.to_string()
    } else if rel.starts_with("//") {
        format!("{scheme}:{rel}")
    } else if rel.starts_with('/') {
        format!("{origin}{rel}")
    } else {
        let path_end = after.find(['?', '#']).unwrap_or(after.len());
        let path = &after[authority_end..path_end];
        let dir = match path.rfind('/') {
            Some(p) => &path[..=p],
            None => "/",
        };
        format!("{origin}{dir}{rel}")
    };
    k(Json::String(out))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, ev};
    use super::{decode64, encode64};
    use crate::value::EvalError;
    use serde_json::json;

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#base64
    #[test]
    fn base64_doc_examples() {
        assert_eq!(
            ev("[base64('one, two, three')]"),
            json!("b25lLCB0d28sIHRocmVl")
        );
        assert_eq!(
            ev("[base64ToString('b25lLCB0d28sIHRocmVl')]"),
            json!("one, two, three")
        );
        assert_eq!(
            ev("[base64ToJson(base64('{\"one\": \"a\", \"two\": \"b\"}'))]"),
            json!({"one": "a", "two": "b"})
        );
        for s in ["", "a", "ab", "abc", "abcd", "é€𝄞"] {
            assert_eq!(decode64(&encode64(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert!(matches!(
            err("[base64ToString('not base64!')]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#datauri
    #[test]
    fn data_uri_doc_examples() {
        assert_eq!(
            ev("[dataUri('Hello')]"),
            json!("data:text/plain;charset=utf8;base64,SGVsbG8=")
        );
        assert_eq!(
            ev("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]"),
            json!("Hello, World!")
        );
        assert!(matches!(
            err("[dataUriToString('Hello')]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#uri
    #[test]
    fn uri_doc_examples() {
        assert_eq!(
            ev("[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]"),
            json!("http://contoso.com/resources/nested/azuredeploy.json")
        );
        assert_eq!(
            ev("[uriComponent(uri('http://contoso.com/resources/', 'nested/azuredeploy.json'))]"),
            json!("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json")
        );
        assert_eq!(
            ev("[uriComponentToString('http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json')]"),
            json!("http://contoso.com/resources/nested/azuredeploy.json")
        );
        // Remarks: without a trailing slash the base's last segment is replaced.
        assert_eq!(
            ev("[uri('http://contoso.org/firstpath/azuredeploy.json', 'myscript.sh')]"),
            json!("http://contoso.org/firstpath/myscript.sh")
        );
        assert_eq!(
            ev("[uri('http://contoso.org', 'a.sh')]"),
            json!("http://contoso.org/a.sh")
        );
        assert!(matches!(
            err("[uri('relative/only', 'a')]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
    }
}
