//! String functions (`concat`, `format`, `split`, `join`, `replace`, `toLower`, `toUpper`,
//! `trim`, `substring`, `startsWith`, `endsWith`, `string`, `padLeft`, `uniqueString`, `guid`,
//! `newGuid`): Microsoft Learn template-functions-string. Those that also take arrays
//! (`contains`, `length`, `take`…) are in [`super::array`], the encodings (`base64`, `uri`…) in
//! [`super::encoding`].

use serde_json::Value as Json;

use super::{chars, k, to_str, unknown, Call, Ev, Fun, MAX_STRING};
use crate::value::{EvalError, Value};

/// The string function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "concat" => concat,
        "format" => format,
        "split" => split,
        "join" => join,
        "replace" => replace,
        "tolower" | "toupper" => case,
        "trim" => trim,
        "substring" => substring,
        "startswith" | "endswith" => affix,
        "string" => string,
        "uniquestring" => unique_string,
        "guid" => guid,
        "padleft" => pad_left,
        "newguid" => new_guid,
        _ => return None,
    })
}

fn guid(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    let mut parts = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        parts.push(c.str(v, i)?);
    }
    k(Json::String(crate::hash::guid(&parts)))
}

fn concat(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    if v.iter().all(Json::is_array) {
        let mut out = Vec::new();
        for a in v {
            out.extend(a.as_array().into_iter().flatten().cloned());
        }
        return k(Json::Array(out));
    }
    let mut s = String::new();
    for (i, a) in v.iter().enumerate() {
        match a {
            Json::String(x) => s.push_str(x),
            Json::Number(_) | Json::Bool(_) | Json::Null => s.push_str(&to_str(a)),
            _ => return Err(c.bad(i, "string or int (or all arrays)", a)),
        }
    }
    k(Json::String(s))
}

fn format(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    let f = c.str(v, 0)?;
    k(Json::String(format_net(c, f, &v[1..])?))
}

/// The widest `format` field or precision accepted.
const MAX_WIDTH: usize = 1000;

fn format_net(c: &Call, fmt: &str, args: &[Json]) -> Result<String, EvalError> {
    let mut out = String::new();
    let mut it = fmt.chars().peekable();
    while let Some(ch) = it.next() {
        match ch {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                loop {
                    match it.next() {
                        Some('}') => break,
                        Some(x) => spec.push(x),
                        None => return Err(c.bad_value(0, "a closed format item", fmt.into())),
                    }
                }
                let (head, fspec) = match spec.split_once(':') {
                    Some((h, f)) => (h, Some(f)),
                    None => (spec.as_str(), None),
                };
                let (idx, align) = match head.split_once(',') {
                    Some((i, a)) => (i, a.trim().parse::<i64>().ok()),
                    None => (head, None),
                };
                // Widths bound the output: a hostile `{0:D999999999}` must not allocate gigabytes.
                let width_ok =
                    |w: &str| w.is_empty() || w.parse::<usize>().is_ok_and(|n| n <= MAX_WIDTH);
                if !fspec.is_none_or(|f| f.is_empty() || width_ok(&f[1..]))
                    || align.is_some_and(|a| a.unsigned_abs() > MAX_WIDTH as u64)
                {
                    return Err(c.bad_value(
                        0,
                        &format!("widths of at most {MAX_WIDTH}"),
                        format!("{{{spec}}}"),
                    ));
                }
                let idx: usize = idx
                    .trim()
                    .parse()
                    .map_err(|_| c.bad_value(0, "a format item index", format!("{{{spec}}}")))?;
                let v = args.get(idx).ok_or_else(|| {
                    c.bad_value(0, "an index within the arguments", idx.to_string())
                })?;
                let mut s = match (fspec, v.as_i64()) {
                    (Some(f), Some(n)) if f.starts_with(['D', 'd']) => {
                        let w: usize = f[1..].parse().unwrap_or(0);
                        if n < 0 {
                            format!("-{:0w$}", n.unsigned_abs())
                        } else {
                            format!("{n:0w$}")
                        }
                    }
                    (Some(f), Some(n)) if f.starts_with('X') => {
                        let w: usize = f[1..].parse().unwrap_or(0);
                        format!("{n:0w$X}")
                    }
                    (Some(f), Some(n)) if f.starts_with('x') => {
                        let w: usize = f[1..].parse().unwrap_or(0);
                        format!("{n:0w$x}")
                    }
                    (Some(f), Some(n)) if f.starts_with(['N', 'n']) && f.len() <= 2 => {
                        let digits = n.unsigned_abs().to_string();
                        let mut g = String::new();
                        for (i, d) in digits.chars().enumerate() {
                            if i > 0 && (digits.len() - i) % 3 == 0 {
                                g.push(',');
                            }
                            g.push(d);
                        }
                        let dec: usize = f[1..].parse().unwrap_or(2);
                        if dec > 0 {
                            g.push('.');
                            g.push_str(&"0".repeat(dec));
                        }
                        if n < 0 {
                            format!("-{g}")
                        } else {
                            g
                        }
                    }
                    (Some(f), _) => {
                        return Err(c.bad_value(
                            0,
                            "a supported format specifier (D, X, N)",
                            f.into(),
                        ))
                    }
                    (None, _) => to_str(v),
                };
                if let Some(a) = align {
                    let w = a.unsigned_abs() as usize;
                    let len = s.chars().count();
                    if len < w {
                        let pad = " ".repeat(w - len);
                        s = if a < 0 { s + &pad } else { pad + &s };
                    }
                }
                out.push_str(&s);
            }
            '}' => return Err(c.bad_value(0, "'}}' for a literal brace", fmt.into())),
            x => out.push(x),
        }
    }
    Ok(out)
}

fn split(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let s = c.str(v, 0)?;
    let delims: Vec<String> = match &v[1] {
        Json::String(d) => vec![d.clone()],
        Json::Array(a) => a
            .iter()
            .map(|d| {
                d.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| c.bad(1, "array of strings", d))
            })
            .collect::<Result<_, _>>()?,
        x => return Err(c.bad(1, "string or array", x)),
    };
    let mut parts = vec![s.to_string()];
    for d in delims.iter().filter(|d| !d.is_empty()) {
        parts = parts
            .iter()
            .flat_map(|p| p.split(d.as_str()).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    k(Json::Array(parts.into_iter().map(Json::String).collect()))
}

fn join(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let a = v[0].as_array().ok_or_else(|| c.bad(0, "array", &v[0]))?;
    let d = c.str(v, 1)?;
    let parts: Vec<String> = a.iter().map(to_str).collect();
    k(Json::String(parts.join(d)))
}

fn replace(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(3, 3)?;
    let (s, old, new) = (c.str(v, 0)?, c.str(v, 1)?, c.str(v, 2)?);
    if old.is_empty() {
        return Err(c.bad_value(1, "a non-empty string", "''".into()));
    }
    let grows = new.len().saturating_sub(old.len());
    if s.len() + s.matches(old).count().saturating_mul(grows) > MAX_STRING {
        return Err(c.bad_value(
            2,
            &format!("a result of at most {MAX_STRING} bytes"),
            "more".into(),
        ));
    }
    k(Json::String(s.replace(old, new)))
}

fn case(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let s = c.str(v, 0)?;
    k(Json::String(if c.lname == "tolower" {
        s.to_lowercase()
    } else {
        s.to_uppercase()
    }))
}

fn trim(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::String(c.str(v, 0)?.trim().to_string()))
}

fn substring(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 3)?;
    let s = chars(c.str(v, 0)?);
    let start = if v.len() > 1 { c.int(v, 1)? } else { 0 };
    if start < 0 || start as usize > s.len() {
        return Err(c.bad_value(
            1,
            &format!("a start index within 0..={}", s.len()),
            start.to_string(),
        ));
    }
    let start = start as usize;
    let len = if v.len() > 2 {
        c.int(v, 2)?
    } else {
        (s.len() - start) as i64
    };
    if len < 0 || start + len as usize > s.len() {
        return Err(c.bad_value(
            2,
            &format!("a length within 0..={}", s.len() - start),
            len.to_string(),
        ));
    }
    k(Json::String(
        s[start..start + len as usize].iter().collect(),
    ))
}

fn affix(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let s = c.str(v, 0)?.to_lowercase();
    let p = c.str(v, 1)?.to_lowercase();
    k(Json::Bool(if c.lname == "startswith" {
        s.starts_with(&p)
    } else {
        s.ends_with(&p)
    }))
}

fn string(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::String(to_str(&v[0])))
}

fn pad_left(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 3)?;
    let s = match &v[0] {
        Json::String(s) => s.clone(),
        Json::Number(n) if n.is_i64() => n.to_string(),
        x => return Err(c.bad(0, "string or int", x)),
    };
    let total = c.int(v, 1)?;
    if !(0..=MAX_STRING as i64).contains(&total) {
        return Err(c.bad_value(
            1,
            &format!("a total length within 0..={MAX_STRING}"),
            total.to_string(),
        ));
    }
    let pad = if v.len() > 2 {
        let p = c.str(v, 2)?;
        let mut it = p.chars();
        match (it.next(), it.next()) {
            (Some(ch), None) => ch,
            _ => return Err(c.bad_value(2, "a single character", format!("'{p}'"))),
        }
    } else {
        ' '
    };
    let missing = (total as usize).saturating_sub(s.chars().count());
    k(Json::String(
        std::iter::repeat_n(pad, missing).chain(s.chars()).collect(),
    ))
}

fn new_guid(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    Ok(unknown(c.call, "differs at every deployment"))
}

fn unique_string(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    let mut parts = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        parts.push(c.str(v, i)?);
    }
    k(Json::String(crate::hash::unique_string(&parts)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::ev;
    use serde_json::json;

    #[test]
    fn string_functions_doc_examples() {
        // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string
        assert_eq!(ev("[concat('prefix', '-', 'x')]"), json!("prefix-x"));
        assert_eq!(
            ev("[concat(createArray('1-1','1-2','1-3'), createArray('2-1','2-2','2-3'))]"),
            json!(["1-1", "1-2", "1-3", "2-1", "2-2", "2-3"])
        );
        assert_eq!(
            ev("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]"),
            json!("Hello, User. Formatted number: 8,175,133")
        );
        assert_eq!(ev("[format('{0:D3}-{{x}}', 7)]"), json!("007-{x}"));
        assert_eq!(ev("[contains('OneTwoThree', 'e')]"), json!(true));
        assert_eq!(ev("[contains('OneTwoThree', 'z')]"), json!(false));
        assert_eq!(ev("[empty('')]"), json!(true));
        assert_eq!(ev("[first('One Two Three')]"), json!("O"));
        assert_eq!(ev("[last('One Two Three')]"), json!("e"));
        assert_eq!(ev("[indexOf('test', 't')]"), json!(0));
        assert_eq!(ev("[lastIndexOf('test', 't')]"), json!(3));
        assert_eq!(ev("[indexOf('abcdef', 'CD')]"), json!(2));
        assert_eq!(ev("[lastIndexOf('abcdef', 'AB')]"), json!(0));
        assert_eq!(ev("[indexOf('abcdef', 'z')]"), json!(-1));
        assert_eq!(ev("[startsWith('abcdef', 'ab')]"), json!(true));
        assert_eq!(ev("[startsWith('abcdef', 'A')]"), json!(true));
        assert_eq!(ev("[startsWith('abcdef', 'e')]"), json!(false));
        assert_eq!(ev("[endsWith('abcdef', 'ef')]"), json!(true));
        assert_eq!(ev("[endsWith('abcdef', 'F')]"), json!(true));
        assert_eq!(ev("[length('One Two Three')]"), json!(13));
        assert_eq!(
            ev("[replace('123-123-1234', '-', '')]"),
            json!("1231231234")
        );
        assert_eq!(
            ev("[replace('123-123-1234', '1234', 'xxxx')]"),
            json!("123-123-xxxx")
        );
        assert_eq!(
            ev("[skip(parameters('testString'), 4)]"),
            json!("two three")
        );
        assert_eq!(ev("[take(parameters('testString'), 2)]"), json!("on"));
        assert_eq!(
            ev("[split('one,two,three', ',')]"),
            json!(["one", "two", "three"])
        );
        assert_eq!(
            ev("[split('one;two,three', createArray(',', ';'))]"),
            json!(["one", "two", "three"])
        );
        assert_eq!(
            ev("[join(createArray('abc','def','ghi'), ',')]"),
            json!("abc,def,ghi")
        );
        assert_eq!(
            ev("[substring(parameters('testString'), 0, 3)]"),
            json!("one")
        );
        assert_eq!(ev("[toLower('One Two Three')]"), json!("one two three"));
        assert_eq!(ev("[toUpper('One Two Three')]"), json!("ONE TWO THREE"));
        assert_eq!(ev("[trim('    one two three   ')]"), json!("one two three"));
        assert_eq!(
            ev("[string(parameters('testObject'))]"),
            json!("{\"valueA\":10,\"valueB\":\"Example Text\"}")
        );
        assert_eq!(
            ev("[string(createArray('a','b','c'))]"),
            json!("[\"a\",\"b\",\"c\"]")
        );
        assert_eq!(ev("[string(5)]"), json!("5"));
        // #padleft
        assert_eq!(ev("[padLeft('123', 10, '0')]"), json!("0000000123"));
        assert_eq!(ev("[padLeft(123, 5)]"), json!("  123"));
        assert_eq!(ev("[padLeft('123456', 3, '0')]"), json!("123456"));
        // template-expressions: a doubled single quote is one quote.
        assert_eq!(ev("[concat('''quoted''')]"), json!("'quoted'"));
        assert_eq!(ev("[[not an expression]"), json!("[not an expression]"));
    }
}
