//! Encoding functions.

use base64::Engine;
use serde_json::{Map, Value as Json};

use super::super::value::{strip_hidden, to_str, EvalError, MAX_STRING, R};
use super::arity;

/// JSON as Terraform's `jsonencode` writes it (Go's escaping of `<`, `>` and `&`).
pub(crate) fn json_encode(j: &Json) -> String {
    let s = strip_hidden(j.clone()).to_string();
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn csv_decode(text: &str) -> R<Json> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            other => field.push(other),
        }
    }
    if quoted {
        return Err(EvalError::new("unterminated quoted field in CSV"));
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    let mut it = rows.into_iter();
    let Some(header) = it.next() else {
        return Err(EvalError::new("missing header line"));
    };
    let mut out = Vec::new();
    for (n, r) in it.enumerate() {
        if r.len() != header.len() {
            return Err(EvalError::new(format!(
                "line {}: wrong number of fields",
                n + 2
            )));
        }
        let m: Map<String, Json> = header
            .iter()
            .cloned()
            .zip(r.into_iter().map(Json::String))
            .collect();
        out.push(Json::Object(m));
    }
    Ok(Json::Array(out))
}

/// Calls an encoding function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    arity(a, 1)?;
    match name {
        "base64encode" => Ok(Json::String(
            base64::engine::general_purpose::STANDARD.encode(to_str(&a[0])?),
        )),
        "base64decode" => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(to_str(&a[0])?)
                .map_err(|e| EvalError::new(format!("failed to decode base64 data: {e}")))?;
            String::from_utf8(bytes)
                .map(Json::String)
                .map_err(|_| EvalError::new("the result of decoding is not valid UTF-8"))
        }
        "jsondecode" => serde_json::from_str::<Json>(&to_str(&a[0])?)
            .map_err(|e| EvalError::new(format!("invalid JSON: {e}"))),
        "jsonencode" => {
            let s = json_encode(&a[0]);
            if s.len() > MAX_STRING {
                return Err(EvalError::new("resulting string too long"));
            }
            Ok(Json::String(s))
        }
        "yamldecode" => {
            let text = to_str(&a[0])?;
            serde_saphyr::from_str::<Json>(&text)
                .map_err(|e| EvalError::new(format!("invalid YAML: {e}")))
        }
        "csvdecode" => csv_decode(&to_str(&a[0])?),
        "urlencode" => {
            let mut out = String::new();
            for b in to_str(&a[0])?.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        out.push(b as char)
                    }
                    b' ' => out.push('+'),
                    other => out.push_str(&format!("%{other:02X}")),
                }
            }
            Ok(Json::String(out))
        }
        _ => Err(EvalError::new("unknown encoding function")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(
            k("base64decode(\"SGVsbG8gV29ybGQ=\")"),
            json!("Hello World")
        );
        assert_eq!(
            k("base64encode(\"Hello World\")"),
            json!("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            k("jsondecode(\"{\\\"hello\\\": \\\"world\\\"}\")"),
            json!({"hello": "world"})
        );
        assert_eq!(k("jsondecode(\"true\")"), json!(true));
        assert_eq!(
            k("jsonencode({\"hello\"=\"world\"})"),
            json!("{\"hello\":\"world\"}")
        );
        assert_eq!(
            k("jsonencode(\"<a&b>\")"),
            json!("\"\\u003ca\\u0026b\\u003e\"")
        );
        assert_eq!(k("yamldecode(\"hello: world\")"), json!({"hello": "world"}));
        assert_eq!(k("yamldecode(\"true\")"), json!(true));
        assert_eq!(
            k("yamldecode(\"{a: &foo [1, 2, 3], b: *foo}\")"),
            json!({"a": [1, 2, 3], "b": [1, 2, 3]})
        );
        assert_eq!(
            k("csvdecode(\"a,b,c\\n1,2,3\\n4,5,6\")"),
            json!([{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}])
        );
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x]\\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]";
        let start = std::time::Instant::now();
        let _ = super::super::test_util::ev_in(
            &format!("yamldecode(\"{laughs}\")"),
            std::path::Path::new("."),
        );
        assert!(start.elapsed().as_secs() < 5);
        assert!(fails("csvdecode(\"a,b\\n1\")"));
        assert_eq!(k("urlencode(\"Hello World!\")"), json!("Hello+World%21"));
        assert_eq!(k("urlencode(\"☃\")"), json!("%E2%98%83"));
        assert_eq!(
            k("\"http://example.com/search?q=${urlencode(\"terraform urlencode\")}\""),
            json!("http://example.com/search?q=terraform+urlencode")
        );
    }
}
