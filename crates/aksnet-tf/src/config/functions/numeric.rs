//! Numeric functions.

use serde_json::Value as Json;

use super::super::value::{num, to_number, to_str, EvalError, R};
use super::{arity, at_least};

/// Calls a numeric function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    match name {
        "abs" => {
            arity(a, 1)?;
            Ok(num(to_number(&a[0])?.abs()))
        }
        "ceil" => {
            arity(a, 1)?;
            Ok(num(to_number(&a[0])?.ceil()))
        }
        "floor" => {
            arity(a, 1)?;
            Ok(num(to_number(&a[0])?.floor()))
        }
        "log" => {
            arity(a, 2)?;
            Ok(num(to_number(&a[0])?.ln() / to_number(&a[1])?.ln()))
        }
        "pow" => {
            arity(a, 2)?;
            Ok(num(to_number(&a[0])?.powf(to_number(&a[1])?)))
        }
        "signum" => {
            arity(a, 1)?;
            let n = to_number(&a[0])?;
            Ok(num(if n > 0.0 {
                1.0
            } else if n < 0.0 {
                -1.0
            } else {
                0.0
            }))
        }
        "max" | "min" => {
            at_least(a, 1)?;
            let mut best = to_number(&a[0])?;
            for x in &a[1..] {
                let x = to_number(x)?;
                if (name == "max" && x > best) || (name == "min" && x < best) {
                    best = x;
                }
            }
            Ok(num(best))
        }
        "parseint" => {
            arity(a, 2)?;
            let s = to_str(&a[0])?;
            let base = to_number(&a[1])?;
            if !(2.0..=62.0).contains(&base) || base.fract() != 0.0 {
                return Err(EvalError::new(
                    "base must be a whole number between 2 and 62",
                ));
            }
            let base = base as u32;
            let (neg, digits) = match s.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, s.strip_prefix('+').unwrap_or(&s)),
            };
            if digits.is_empty() {
                return Err(EvalError::new(format!(
                    "cannot parse \"{s}\" as a base {base} integer"
                )));
            }
            let mut v: i128 = 0;
            for c in digits.chars() {
                let d = match c {
                    '0'..='9' => c as u32 - '0' as u32,
                    'a'..='z' => c as u32 - 'a' as u32 + 10,
                    'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
                    'A'..='Z' => c as u32 - 'A' as u32 + 36,
                    _ => u32::MAX,
                };
                if d >= base {
                    return Err(EvalError::new(format!(
                        "cannot parse \"{s}\" as a base {base} integer"
                    )));
                }
                v = v
                    .checked_mul(base as i128)
                    .and_then(|v| v.checked_add(d as i128))
                    .filter(|v| *v < (1i128 << 62))
                    .ok_or_else(|| EvalError::new("integer too large"))?;
            }
            Ok(Json::from(if neg { -(v as i64) } else { v as i64 }))
        }
        _ => Err(EvalError::new("unknown numeric function")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(k("abs(23)"), json!(23));
        assert_eq!(k("abs(0)"), json!(0));
        assert_eq!(k("abs(-12.4)"), json!(12.4));
        assert_eq!(k("ceil(5)"), json!(5));
        assert_eq!(k("ceil(5.1)"), json!(6));
        assert_eq!(k("floor(5)"), json!(5));
        assert_eq!(k("floor(4.9)"), json!(4));
        assert_eq!(k("log(50, 10)"), json!(1.6989700043360185));
        assert_eq!(k("log(16, 2)"), json!(4));
        assert_eq!(k("max(12, 54, 3)"), json!(54));
        assert_eq!(k("max([12, 54, 3]...)"), json!(54));
        assert_eq!(k("min(12, 54, 3)"), json!(3));
        assert_eq!(k("min([12, 54, 3]...)"), json!(3));
        assert_eq!(k("parseint(\"100\", 10)"), json!(100));
        assert_eq!(k("parseint(\"FF\", 16)"), json!(255));
        assert_eq!(k("parseint(\"-10\", 16)"), json!(-16));
        assert_eq!(k("parseint(\"1011111011101111\", 2)"), json!(48879));
        assert_eq!(k("parseint(\"aA\", 62)"), json!(656));
        assert!(fails("parseint(\"12\", 2)"));
        assert_eq!(k("pow(3, 2)"), json!(9));
        assert_eq!(k("pow(4, 0)"), json!(1));
        assert_eq!(k("signum(-13)"), json!(-1));
        assert_eq!(k("signum(0)"), json!(0));
        assert_eq!(k("signum(344)"), json!(1));
    }
}
