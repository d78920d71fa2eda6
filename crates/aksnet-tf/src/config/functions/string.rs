//! String functions.

use serde_json::{Map, Value as Json};

use super::super::value::{to_list, to_number, to_str, type_name, EvalError, MAX_STRING, R};
use super::{arity, at_least};

fn s(j: &Json) -> R<String> {
    to_str(j)
}

fn check_len(out: String) -> R<Json> {
    if out.len() > MAX_STRING {
        return Err(EvalError::new("resulting string too long"));
    }
    Ok(Json::String(out))
}

/// Compiles a Terraform (RE2) regular expression.
fn compile(pattern: &str) -> R<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| EvalError::new(format!("invalid regular expression: {e}")))
}

/// The result of one `regex` match: a string, a list of captures or a map of named ones.
fn captures(re: &regex::Regex, c: &regex::Captures) -> Json {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    if names.len() == 1 {
        return Json::String(c.get(0).map(|m| m.as_str()).unwrap_or("").to_string());
    }
    if names.iter().skip(1).any(|n| n.is_some()) {
        let mut m = Map::new();
        for n in names.iter().skip(1).flatten() {
            m.insert(
                n.to_string(),
                c.name(n)
                    .map(|x| Json::String(x.as_str().into()))
                    .unwrap_or(Json::Null),
            );
        }
        return Json::Object(m);
    }
    Json::Array(
        (1..names.len())
            .map(|i| {
                c.get(i)
                    .map(|x| Json::String(x.as_str().into()))
                    .unwrap_or(Json::Null)
            })
            .collect(),
    )
}

/// Calls a string function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    match name {
        "chomp" => {
            arity(a, 1)?;
            let v = s(&a[0])?;
            Ok(Json::String(v.trim_end_matches(['\n', '\r']).to_string()))
        }
        "endswith" => {
            arity(a, 2)?;
            Ok(Json::Bool(s(&a[0])?.ends_with(&s(&a[1])?)))
        }
        "startswith" => {
            arity(a, 2)?;
            Ok(Json::Bool(s(&a[0])?.starts_with(&s(&a[1])?)))
        }
        "strcontains" => {
            arity(a, 2)?;
            Ok(Json::Bool(s(&a[0])?.contains(&s(&a[1])?)))
        }
        "format" => {
            at_least(a, 1)?;
            check_len(format(&s(&a[0])?, &a[1..])?)
        }
        "formatlist" => {
            at_least(a, 1)?;
            let f = s(&a[0])?;
            let mut n: Option<usize> = None;
            for x in &a[1..] {
                if let Json::Array(l) = x {
                    if n.is_some_and(|n| n != l.len()) {
                        return Err(EvalError::new(
                            "all list arguments must have the same length",
                        ));
                    }
                    n = Some(l.len());
                }
            }
            let n = n.unwrap_or(1);
            let mut out = Vec::with_capacity(n);
            let mut total = 0usize;
            for i in 0..n {
                let args: Vec<Json> = a[1..]
                    .iter()
                    .map(|x| match x {
                        Json::Array(l) => l[i].clone(),
                        other => other.clone(),
                    })
                    .collect();
                let one = format(&f, &args)?;
                total += one.len();
                if total > MAX_STRING {
                    return Err(EvalError::new("resulting strings too long"));
                }
                out.push(Json::String(one));
            }
            Ok(Json::Array(out))
        }
        "indent" => {
            arity(a, 2)?;
            let n = to_number(&a[0])?;
            if !(0.0..=1024.0).contains(&n) {
                return Err(EvalError::new("invalid indentation"));
            }
            let pad = " ".repeat(n as usize);
            let text = s(&a[1])?;
            let lines = text.matches('\n').count();
            if text.len() + lines * pad.len() > MAX_STRING {
                return Err(EvalError::new("resulting string too long"));
            }
            check_len(
                s(&a[1])?
                    .split('\n')
                    .collect::<Vec<_>>()
                    .join(&format!("\n{pad}")),
            )
        }
        "join" => {
            at_least(a, 2)?;
            let sep = s(&a[0])?;
            let mut parts = Vec::new();
            let mut total = 0usize;
            for l in &a[1..] {
                for x in to_list(l)? {
                    let p = s(x)?;
                    total += p.len() + sep.len();
                    if total > MAX_STRING {
                        return Err(EvalError::new("resulting string too long"));
                    }
                    parts.push(p);
                }
            }
            check_len(parts.join(&sep))
        }
        "lower" => {
            arity(a, 1)?;
            Ok(Json::String(s(&a[0])?.to_lowercase()))
        }
        "upper" => {
            arity(a, 1)?;
            Ok(Json::String(s(&a[0])?.to_uppercase()))
        }
        "regex" => {
            arity(a, 2)?;
            let re = compile(&s(&a[0])?)?;
            let text = s(&a[1])?;
            match re.captures(&text) {
                Some(c) => Ok(captures(&re, &c)),
                None => Err(EvalError::new(
                    "pattern did not match any part of the given string",
                )),
            }
        }
        "regexall" => {
            arity(a, 2)?;
            let re = compile(&s(&a[0])?)?;
            let text = s(&a[1])?;
            Ok(Json::Array(
                re.captures_iter(&text).map(|c| captures(&re, &c)).collect(),
            ))
        }
        "replace" => {
            arity(a, 3)?;
            let (text, sub, rep) = (s(&a[0])?, s(&a[1])?, s(&a[2])?);
            if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
                let re = compile(&sub[1..sub.len() - 1])?;
                let n = re.find_iter(&text).count();
                if text.len() + n.saturating_mul(rep.len()) > MAX_STRING {
                    return Err(EvalError::new("resulting string too long"));
                }
                check_len(re.replace_all(&text, rep.as_str()).into_owned())
            } else {
                let n = if sub.is_empty() {
                    text.chars().count() + 1
                } else {
                    text.matches(sub.as_str()).count()
                };
                if text.len() + n.saturating_mul(rep.len()) > MAX_STRING {
                    return Err(EvalError::new("resulting string too long"));
                }
                check_len(text.replace(&sub, &rep))
            }
        }
        "split" => {
            arity(a, 2)?;
            let (sep, text) = (s(&a[0])?, s(&a[1])?);
            if sep.is_empty() {
                return Ok(Json::Array(
                    text.chars().map(|c| Json::String(c.to_string())).collect(),
                ));
            }
            Ok(Json::Array(
                text.split(sep.as_str())
                    .map(|p| Json::String(p.to_string()))
                    .collect(),
            ))
        }
        "strrev" => {
            arity(a, 1)?;
            Ok(Json::String(s(&a[0])?.chars().rev().collect()))
        }
        "substr" => {
            arity(a, 3)?;
            let chars: Vec<char> = s(&a[0])?.chars().collect();
            let len = chars.len() as i64;
            let mut off = to_number(&a[1])? as i64;
            let n = to_number(&a[2])? as i64;
            if off < 0 {
                off += len;
            }
            if off < 0 || off > len {
                return Err(EvalError::new("offset out of range"));
            }
            let end = if n < 0 {
                len.saturating_add(n).saturating_add(1)
            } else {
                off.saturating_add(n).min(len)
            };
            if end < off {
                return Err(EvalError::new("length out of range"));
            }
            Ok(Json::String(
                chars[off as usize..end as usize].iter().collect(),
            ))
        }
        "title" => {
            arity(a, 1)?;
            let mut out = String::new();
            let mut prev_letter = false;
            for c in s(&a[0])?.chars() {
                if !prev_letter && c.is_alphabetic() {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
            }
            Ok(Json::String(out))
        }
        "trim" => {
            arity(a, 2)?;
            let cut: Vec<char> = s(&a[1])?.chars().collect();
            Ok(Json::String(
                s(&a[0])?.trim_matches(|c| cut.contains(&c)).to_string(),
            ))
        }
        "trimprefix" => {
            arity(a, 2)?;
            let (t, p) = (s(&a[0])?, s(&a[1])?);
            Ok(Json::String(
                t.strip_prefix(p.as_str()).unwrap_or(&t).to_string(),
            ))
        }
        "trimsuffix" => {
            arity(a, 2)?;
            let (t, p) = (s(&a[0])?, s(&a[1])?);
            Ok(Json::String(
                t.strip_suffix(p.as_str()).unwrap_or(&t).to_string(),
            ))
        }
        "trimspace" => {
            arity(a, 1)?;
            Ok(Json::String(s(&a[0])?.trim().to_string()))
        }
        _ => Err(EvalError::new("unknown string function")),
    }
}

/// Go-style `format` verbs as Terraform supports them: `%s %d %f %v %q %t %x %X %o %b %e %%`,
/// with flags, width and precision, and `%[n]` argument indexes.
pub(crate) fn format(f: &str, args: &[Json]) -> R<String> {
    let mut out = String::new();
    let chars: Vec<char> = f.chars().collect();
    let mut i = 0;
    let mut next = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while let Some(&c) = chars.get(i).filter(|c| "+-# 0".contains(**c)) {
            flags.push(c);
            i += 1;
        }
        if chars.get(i) == Some(&'[') {
            let start = i + 1;
            while chars.get(i).is_some_and(|c| *c != ']') {
                i += 1;
            }
            let n: String = chars[start..i.min(chars.len())].iter().collect();
            next = n
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| EvalError::new("invalid argument index"))?
                - 1;
            i += 1;
        }
        let mut width = String::new();
        while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
            width.push(c);
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = String::new();
            while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
                p.push(c);
                i += 1;
            }
            let p: usize = p.parse().unwrap_or(usize::MAX);
            if p > 1024 {
                return Err(EvalError::new("format precision too large"));
            }
            prec = Some(p);
        }
        let Some(&verb) = chars.get(i) else {
            return Err(EvalError::new("format string ends with an incomplete verb"));
        };
        i += 1;
        let arg = args
            .get(next)
            .ok_or_else(|| EvalError::new(format!("not enough arguments for %{verb}")))?;
        next += 1;
        let body = match verb {
            's' => match arg {
                Json::String(_) | Json::Number(_) | Json::Bool(_) => {
                    let v = to_str(arg)?;
                    match prec {
                        Some(p) => v.chars().take(p).collect(),
                        None => v,
                    }
                }
                other => {
                    return Err(EvalError::new(format!(
                        "unsupported value for %s: {}",
                        type_name(other)
                    )))
                }
            },
            'v' => match arg {
                Json::String(s) => s.clone(),
                Json::Number(_) | Json::Bool(_) => to_str(arg)?,
                other => other.to_string(),
            },
            'q' => Json::String(to_str(arg)?).to_string(),
            't' => match arg {
                Json::Bool(b) => b.to_string(),
                _ => return Err(EvalError::new("%t needs a bool")),
            },
            'd' => {
                let n = to_number(arg)?;
                if n.fract() != 0.0 {
                    return Err(EvalError::new("%d needs a whole number"));
                }
                let v = format!("{}", n as i64);
                if flags.contains('+') && n >= 0.0 {
                    format!("+{v}")
                } else {
                    v
                }
            }
            'f' | 'F' => format!("{:.*}", prec.unwrap_or(6), to_number(arg)?),
            'e' => format!("{:.*e}", prec.unwrap_or(6), to_number(arg)?),
            'x' | 'X' | 'o' | 'b' => {
                if let Json::String(s) = arg {
                    if verb == 'x' || verb == 'X' {
                        let h: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                        if verb == 'X' {
                            h.to_uppercase()
                        } else {
                            h
                        }
                    } else {
                        return Err(EvalError::new(format!("%{verb} needs a number")));
                    }
                } else {
                    let n = to_number(arg)? as i64;
                    match verb {
                        'x' => format!("{n:x}"),
                        'X' => format!("{n:X}"),
                        'o' => format!("{n:o}"),
                        _ => format!("{n:b}"),
                    }
                }
            }
            other => return Err(EvalError::new(format!("unsupported format verb %{other}"))),
        };
        let w: usize = width.parse().unwrap_or(0);
        if w > MAX_STRING {
            return Err(EvalError::new("format width too large"));
        }
        let len = body.chars().count();
        if len < w {
            let pad = w - len;
            if flags.contains('-') {
                out.push_str(&body);
                out.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && "dfeFxXob".contains(verb) {
                let (sign, digits) = match body.strip_prefix('-') {
                    Some(d) => ("-", d),
                    None => ("", body.as_str()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
        if out.len() > MAX_STRING {
            return Err(EvalError::new("resulting string too long"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(k("chomp(\"hello\\n\")"), json!("hello"));
        assert_eq!(k("chomp(\"hello\\r\\n\")"), json!("hello"));
        assert_eq!(k("chomp(\"hello\\n\\n\")"), json!("hello"));
        assert_eq!(k("endswith(\"hello world\", \"world\")"), json!(true));
        assert_eq!(k("endswith(\"hello world\", \"hello\")"), json!(false));
        assert_eq!(k("startswith(\"hello world\", \"hello\")"), json!(true));
        assert_eq!(k("startswith(\"hello world\", \"world\")"), json!(false));
        assert_eq!(k("strcontains(\"hello world\", \"wor\")"), json!(true));
        assert_eq!(k("strcontains(\"hello world\", \"wod\")"), json!(false));
        assert_eq!(
            k("format(\"Hello, %s!\", \"Ander\")"),
            json!("Hello, Ander!")
        );
        assert_eq!(
            k("format(\"There are %d lights\", 4)"),
            json!("There are 4 lights")
        );
        assert_eq!(k("format(\"%.2f\", 3.14159)"), json!("3.14"));
        assert_eq!(k("format(\"%03d|%-4s|\", 7, \"ab\")"), json!("007|ab  |"));
        assert_eq!(
            k("formatlist(\"Hello, %s!\", [\"Valentina\", \"Ander\", \"Olivia\", \"Sam\"])"),
            json!([
                "Hello, Valentina!",
                "Hello, Ander!",
                "Hello, Olivia!",
                "Hello, Sam!"
            ])
        );
        assert_eq!(
            k("formatlist(\"%s, %s!\", \"Salutations\", [\"Valentina\", \"Ander\"])"),
            json!(["Salutations, Valentina!", "Salutations, Ander!"])
        );
        assert_eq!(
            k("\"  items: ${indent(2, \"[\\n  foo,\\n  bar,\\n]\\n\")}\""),
            json!("  items: [\n    foo,\n    bar,\n  ]\n  ")
        );
        assert_eq!(
            k("join(\"-\", [\"foo\", \"bar\", \"baz\"])"),
            json!("foo-bar-baz")
        );
        assert_eq!(k("join(\", \", [\"foo\"])"), json!("foo"));
        assert_eq!(k("lower(\"HELLO\")"), json!("hello"));
        assert_eq!(k("lower(\"АЛЛО!\")"), json!("алло!"));
        assert_eq!(k("upper(\"hello\")"), json!("HELLO"));
        assert_eq!(
            k("regex(\"[a-z]+\", \"53453453.345345aaabbbccc23454\")"),
            json!("aaabbbccc")
        );
        assert_eq!(
            k("regex(\"(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)\", \"2019-02-01\")"),
            json!(["2019", "02", "01"])
        );
        assert_eq!(
            k("regex(\"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?\", \"https://terraform.io/docs/\")"),
            json!({"authority": "terraform.io", "scheme": "https"})
        );
        assert!(fails("regex(\"[a-z]+\", \"1234\")"));
        assert_eq!(
            k("regexall(\"[a-z]+\", \"1234abcd5678efgh9\")"),
            json!(["abcd", "efgh"])
        );
        assert_eq!(
            k("length(regexall(\"[a-z]+\", \"1234abcd5678efgh9\"))"),
            json!(2)
        );
        assert_eq!(
            k("length(regexall(\"[a-z]+\", \"123456789\")) > 0"),
            json!(false)
        );
        assert_eq!(
            k("replace(\"1 + 2 + 3\", \"+\", \"-\")"),
            json!("1 - 2 - 3")
        );
        assert_eq!(
            k("replace(\"hello world\", \"/w.*d/\", \"everybody\")"),
            json!("hello everybody")
        );
        assert_eq!(
            k("split(\",\", \"foo,bar,baz\")"),
            json!(["foo", "bar", "baz"])
        );
        assert_eq!(k("split(\",\", \"foo\")"), json!(["foo"]));
        assert_eq!(k("split(\",\", \"\")"), json!([""]));
        assert_eq!(k("strrev(\"hello\")"), json!("olleh"));
        assert_eq!(k("strrev(\"a ☃\")"), json!("☃ a"));
        assert_eq!(k("substr(\"hello world\", 1, 4)"), json!("ello"));
        assert_eq!(k("substr(\"🤔🤷\", 0, 1)"), json!("🤔"));
        assert_eq!(k("substr(\"hello world\", -5, -1)"), json!("world"));
        assert_eq!(k("substr(\"hello world\", 6, 10)"), json!("world"));
        assert_eq!(k("title(\"hello world\")"), json!("Hello World"));
        assert_eq!(k("trim(\"?!hello?!\", \"!?\")"), json!("hello"));
        assert_eq!(k("trim(\"foobar\", \"far\")"), json!("oob"));
        assert_eq!(
            k("trim(\"   hello! world.!  \", \"! \")"),
            json!("hello! world.")
        );
        assert_eq!(k("trimprefix(\"helloworld\", \"hello\")"), json!("world"));
        assert_eq!(
            k("trimprefix(\"helloworld\", \"cat\")"),
            json!("helloworld")
        );
        assert_eq!(k("trimsuffix(\"helloworld\", \"world\")"), json!("hello"));
        assert!(fails("format(\"%999999999999d\", 1)"));
        assert!(fails(
            "join(\",\", [for i in range(20) : format(\"%1000000d\", i)])"
        ));
        assert!(fails("format(\"%.99999999999f\", 1)"));
        assert_eq!(k("substr(\"hello\", 1, 1e300)"), json!("ello"));
        assert_eq!(k("trimspace(\"  hello\\n\\n\")"), json!("hello"));
    }
}
