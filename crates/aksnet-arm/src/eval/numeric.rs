//! Numeric functions (`add`, `sub`, `mul`, `div`, `mod`, `int`, `min`, `max`): Microsoft Learn
//! template-functions-numeric. Integers are 64-bit; overflow is an error, not a wrap.

use serde_json::{json, Value as Json};

use super::{k, Call, Ev, Fun};
use crate::value::{EvalError, Value};

/// The numeric function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "add" | "sub" | "mul" | "div" | "mod" => arithmetic,
        "int" => int,
        "min" | "max" => min_max,
        _ => return None,
    })
}

fn arithmetic(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let (a, b) = (c.int(v, 0)?, c.int(v, 1)?);
    let r = match c.lname {
        "add" => a.checked_add(b),
        "sub" => a.checked_sub(b),
        "mul" => a.checked_mul(b),
        _ if b == 0 => return Err(c.bad_value(1, "a non-zero divisor", "0".into())),
        "div" => a.checked_div(b),
        _ => a.checked_rem(b),
    };
    r.map(|n| Value::Known(json!(n)))
        .ok_or_else(|| c.bad_value(1, "a result within 64 bits", format!("{a} {} {b}", c.lname)))
}

fn int(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    match &v[0] {
        Json::Number(n) if n.is_i64() => k(v[0].clone()),
        Json::String(s) => s
            .trim()
            .parse::<i64>()
            .map(|n| Value::Known(json!(n)))
            .map_err(|_| c.bad_value(0, "an integer string", format!("'{s}'"))),
        x => Err(c.bad(0, "string or int", x)),
    }
}

fn min_max(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    let mut nums = Vec::new();
    if v.len() == 1 && v[0].is_array() {
        for x in v[0].as_array().into_iter().flatten() {
            nums.push(x.as_i64().ok_or_else(|| c.bad(0, "array of ints", x))?);
        }
    } else {
        for i in 0..v.len() {
            nums.push(c.int(v, i)?);
        }
    }
    let r = if c.lname == "min" {
        nums.iter().min()
    } else {
        nums.iter().max()
    };
    match r {
        Some(n) => k(json!(n)),
        None => Err(c.bad_value(0, "a non-empty array", "[]".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::ev;
    use serde_json::json;

    #[test]
    fn numeric_doc_examples() {
        assert_eq!(ev("[add(5, 3)]"), json!(8));
        assert_eq!(ev("[sub(7, 3)]"), json!(4));
        assert_eq!(ev("[mul(5, 3)]"), json!(15));
        assert_eq!(ev("[div(8, 3)]"), json!(2));
        assert_eq!(ev("[mod(7, 3)]"), json!(1));
        assert_eq!(ev("[int('4')]"), json!(4));
        assert_eq!(ev("[min(createArray(0,3,2,5,4))]"), json!(0));
        assert_eq!(ev("[max(0,3,2,5,4)]"), json!(5));
    }
}
