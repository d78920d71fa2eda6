//! Comparison and logical functions (`equals`, `less`…, `and`, `or`, `not`, `if`, `bool`,
//! `coalesce`): Microsoft Learn template-functions-comparison and -logical.

use serde_json::Value as Json;

use super::{k, Call, Ev, Fun, LazyFun};
use crate::value::{type_name, EvalError, Value};

/// The comparison or logical function whose arguments are all evaluated first.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "equals" => equals,
        "less" | "lessorequals" | "greater" | "greaterorequals" => compare,
        "not" => not,
        "bool" => bool,
        "true" => |_, c, _| {
            c.arity(0, 0)?;
            k(Json::Bool(true))
        },
        "false" => |_, c, _| {
            c.arity(0, 0)?;
            k(Json::Bool(false))
        },
        _ => return None,
    })
}

/// The logical function whose result may not depend on every argument.
pub(super) fn lazy(lname: &str) -> Option<LazyFun> {
    Some(match lname {
        "if" => if_,
        "coalesce" => coalesce,
        "and" | "or" => and_or,
        _ => return None,
    })
}

fn if_(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(3, 3)?;
    let cond = known!(ev.eval(&c.args[0])?);
    let b = cond.as_bool().ok_or_else(|| c.bad(0, "bool", &cond))?;
    ev.eval(&c.args[if b { 1 } else { 2 }])
}

fn coalesce(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(1, usize::MAX)?;
    for a in c.args {
        match ev.eval(a)? {
            Value::Known(Json::Null) => {}
            v => return Ok(v),
        }
    }
    k(Json::Null)
}

fn and_or(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, usize::MAX)?;
    let short = c.lname == "or";
    let mut first_unknown = None;
    for (i, a) in c.args.iter().enumerate() {
        match ev.eval(a)? {
            Value::Known(j) => {
                let b = j.as_bool().ok_or_else(|| c.bad(i, "bool", &j))?;
                if b == short {
                    return k(Json::Bool(short));
                }
            }
            u => {
                first_unknown.get_or_insert(u);
            }
        }
    }
    Ok(first_unknown.unwrap_or(Value::Known(Json::Bool(!short))))
}

fn equals(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    k(Json::Bool(v[0] == v[1]))
}

fn compare(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    let ord = match (&v[0], &v[1]) {
        (Json::Number(_), Json::Number(_)) => c.int(v, 0)?.cmp(&c.int(v, 1)?),
        (Json::String(a), Json::String(b)) => a.cmp(b),
        (Json::Number(_) | Json::String(_), x) => {
            return Err(c.bad(1, &format!("{} like argument 1", type_name(&v[0])), x))
        }
        (x, _) => return Err(c.bad(0, "int or string", x)),
    };
    use std::cmp::Ordering::*;
    k(Json::Bool(match c.lname {
        "less" => ord == Less,
        "lessorequals" => ord != Greater,
        "greater" => ord == Greater,
        _ => ord != Less,
    }))
}

fn not(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::Bool(!c.bool(v, 0)?))
}

fn bool(_: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    k(Json::Bool(match &v[0] {
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_i64() != Some(0),
        Json::String(s) if s.eq_ignore_ascii_case("true") => true,
        Json::String(s) if s.eq_ignore_ascii_case("false") => false,
        Json::String(s) => return Err(c.bad_value(0, "'true' or 'false'", format!("'{s}'"))),
        x => return Err(c.bad(0, "string, int or bool", x)),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::ev;
    use serde_json::json;

    #[test]
    fn comparison_and_logical_doc_examples() {
        assert_eq!(ev("[bool('true')]"), json!(true));
        assert_eq!(ev("[bool(0)]"), json!(false));
        assert_eq!(ev("[equals(1, 1)]"), json!(true));
        assert_eq!(ev("[equals('a', 'A')]"), json!(false));
        assert_eq!(
            ev("[equals(createArray('a','b'), createArray('a','b'))]"),
            json!(true)
        );
        assert_eq!(ev("[less(1, 10)]"), json!(true));
        assert_eq!(ev("[less('A', 'a')]"), json!(true));
        assert_eq!(ev("[lessOrEquals(1, 1)]"), json!(true));
        assert_eq!(ev("[greater(10, 1)]"), json!(true));
        assert_eq!(ev("[greater('A', 'a')]"), json!(false));
        assert_eq!(ev("[greaterOrEquals(10, 10)]"), json!(true));
        assert_eq!(ev("[and(true, false)]"), json!(false));
        assert_eq!(ev("[or(true, false)]"), json!(true));
        assert_eq!(ev("[not(true)]"), json!(false));
        assert_eq!(ev("[if(equals('a', 'a'), 'yes', 'no')]"), json!("yes"));
        assert_eq!(ev("[coalesce(null(), null(), 1, 2)]"), json!(1));
    }
}
