//! Variable type constraints: read from `type = ...` and applied to values as Terraform
//! converts them (primitives converted, object attributes filled from `optional(...)`
//! defaults, extra attributes dropped, sets deduplicated).

use aksnet_arm::{Unknown, Value};
use hcl_edit::expr::{Expression, ObjectKey};
use serde_json::{Map, Value as Json};

use super::value::{make_set, num, to_bool, to_number, to_str, type_name};

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    /// `any`: no conversion.
    Any,
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`.
    List(Box<Ty>),
    /// `set(T)`.
    Set(Box<Ty>),
    /// `map(T)`.
    Map(Box<Ty>),
    /// `tuple([T, ...])`.
    Tuple(Vec<Ty>),
    /// `object({name = T, other = optional(T, default)})`.
    Object(Vec<Attr>),
}

/// An object type's attribute.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Attr {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// `None` when required; `Some(default)` when `optional(...)` (null without a default).
    pub optional: Option<Json>,
}

/// Reads a type expression; `None` when it is not one.
pub(crate) fn parse(e: &Expression) -> Option<Ty> {
    match e {
        Expression::Variable(v) => match v.value().as_str() {
            "any" => Some(Ty::Any),
            "string" => Some(Ty::String),
            "number" => Some(Ty::Number),
            "bool" => Some(Ty::Bool),
            "list" => Some(Ty::List(Box::new(Ty::Any))),
            "map" => Some(Ty::Map(Box::new(Ty::Any))),
            "set" => Some(Ty::Set(Box::new(Ty::Any))),
            _ => None,
        },
        Expression::Parenthesis(p) => parse(p.inner()),
        Expression::FuncCall(f) => {
            let arg = f.args.get(0)?;
            match f.name.name.value().as_str() {
                "list" => Some(Ty::List(Box::new(parse(arg)?))),
                "set" => Some(Ty::Set(Box::new(parse(arg)?))),
                "map" => Some(Ty::Map(Box::new(parse(arg)?))),
                "tuple" => match arg {
                    Expression::Array(a) => {
                        Some(Ty::Tuple(a.iter().map(parse).collect::<Option<Vec<_>>>()?))
                    }
                    _ => None,
                },
                "object" => match arg {
                    Expression::Object(o) => {
                        let mut attrs = Vec::new();
                        for (k, v) in o.iter() {
                            let name = match k {
                                ObjectKey::Ident(i) => i.value().to_string(),
                                ObjectKey::Expression(Expression::Variable(v)) => {
                                    v.value().to_string()
                                }
                                ObjectKey::Expression(Expression::String(s)) => {
                                    s.value().to_string()
                                }
                                _ => return None,
                            };
                            let (ty, optional) = match v.expr() {
                                Expression::FuncCall(f)
                                    if f.name.name.value().as_str() == "optional" =>
                                {
                                    let ty = parse(f.args.get(0)?)?;
                                    let default = match f.args.get(1) {
                                        Some(d) => {
                                            super::vars::eval_constant(d, std::path::Path::new("."))
                                                .ok()?
                                                .into_json()
                                        }
                                        None => Json::Null,
                                    };
                                    (ty, Some(default))
                                }
                                other => (parse(other)?, None),
                            };
                            attrs.push(Attr { name, ty, optional });
                        }
                        Some(Ty::Object(attrs))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// Converts a value to a type, as Terraform does for a variable's value.
pub(crate) fn convert(ty: &Ty, v: Value) -> Result<Value, String> {
    match v {
        Value::Unknown(u) => Ok(Value::Unknown(u)),
        Value::Known(j) => conv(ty, j).map(Value::from_json),
    }
}

fn conv(ty: &Ty, j: Json) -> Result<Json, String> {
    if j.is_null() || Unknown::from_json(&j).is_some() {
        return Ok(j);
    }
    let wrong = |want: &str, j: &Json| format!("{want} required, found {}", type_name(j));
    match ty {
        Ty::Any => Ok(j),
        Ty::String => to_str(&j).map(Json::String).map_err(|e| e.message),
        Ty::Number => to_number(&j).map(num).map_err(|e| e.message),
        Ty::Bool => to_bool(&j).map(Json::Bool).map_err(|e| e.message),
        Ty::List(t) | Ty::Set(t) => {
            let Json::Array(items) = j else {
                return Err(wrong("a list", &j));
            };
            let out = items
                .into_iter()
                .enumerate()
                .map(|(i, x)| conv(t, x).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json::Array(if matches!(ty, Ty::Set(_)) {
                make_set(out)
            } else {
                out
            }))
        }
        Ty::Tuple(ts) => {
            let Json::Array(items) = j else {
                return Err(wrong("a tuple", &j));
            };
            if items.len() != ts.len() {
                return Err(format!(
                    "a tuple of {} elements required, found {}",
                    ts.len(),
                    items.len()
                ));
            }
            items
                .into_iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (x, t))| conv(t, x).map_err(|e| format!("element {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Json::Array)
        }
        Ty::Map(t) => {
            let Json::Object(m) = j else {
                return Err(wrong("a map", &j));
            };
            let mut out = Map::new();
            for (k, x) in m {
                let x = conv(t, x).map_err(|e| format!("element \"{k}\": {e}"))?;
                out.insert(k, x);
            }
            Ok(Json::Object(out))
        }
        Ty::Object(attrs) => {
            let Json::Object(mut m) = j else {
                return Err(wrong("an object", &j));
            };
            let mut out = Map::new();
            for a in attrs {
                let v = match m.remove(&a.name) {
                    Some(Json::Null) => match &a.optional {
                        Some(d) => conv(&a.ty, d.clone())?,
                        None => Json::Null,
                    },
                    None => match &a.optional {
                        Some(d) => conv(&a.ty, d.clone())?,
                        None => {
                            return Err(format!("attribute \"{}\" is required", a.name));
                        }
                    },
                    Some(x) => {
                        conv(&a.ty, x).map_err(|e| format!("attribute \"{}\": {e}", a.name))?
                    }
                };
                out.insert(a.name.clone(), v);
            }
            Ok(Json::Object(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ty(src: &str) -> Ty {
        parse(&hcl_edit::parser::parse_expr(src).expect("parse")).expect("type")
    }

    fn c(t: &str, v: Json) -> Result<Json, String> {
        convert(&ty(t), Value::Known(v)).map(Value::into_json)
    }

    #[test]
    fn conversions() {
        assert_eq!(c("string", json!(5)), Ok(json!("5")));
        assert_eq!(c("number", json!("5")), Ok(json!(5)));
        assert_eq!(c("bool", json!("true")), Ok(json!(true)));
        assert!(c("number", json!("x")).is_err());
        assert_eq!(c("list(string)", json!([1, "a"])), Ok(json!(["1", "a"])));
        assert_eq!(
            c("set(string)", json!(["b", "a", "b"])),
            Ok(json!(["a", "b"]))
        );
        assert_eq!(c("map(number)", json!({"a": "1"})), Ok(json!({"a": 1})));
        assert_eq!(
            c(
                "object({ name = string, size = optional(number, 24), tags = optional(map(string)), extra = optional(bool, false) })",
                json!({"name": "a", "unused": 1, "extra": null})
            ),
            Ok(json!({"name": "a", "size": 24, "tags": null, "extra": false}))
        );
        assert!(c("object({ name = string })", json!({})).is_err());
        assert_eq!(
            c(
                "map(object({ cidr = string, nsg = optional(bool, true) }))",
                json!({"a": {"cidr": "10.0.0.0/24"}})
            ),
            Ok(json!({"a": {"cidr": "10.0.0.0/24", "nsg": true}}))
        );
        assert_eq!(
            c("tuple([string, number])", json!([1, "2"])),
            Ok(json!(["1", 2]))
        );
        assert_eq!(c("any", json!({"x": 1})), Ok(json!({"x": 1})));
    }
}
