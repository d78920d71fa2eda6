//! Block bodies as JSON: attributes, nested blocks and `dynamic` blocks.

use aksnet_arm::Value;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use hcl_edit::Span;
use serde_json::{Map, Value as Json};

use super::eval::{is_set_call, iterate_as, Env};
use super::value::{embed, EvalError, R};

/// Evaluates a block body to JSON: attributes as values, nested blocks as arrays of objects
/// (`dynamic` blocks expanded); at the top of a resource, meta-arguments are left out.
pub(crate) fn eval_body(env: &Env, body: &Body, top: bool) -> R<Map<String, Json>> {
    let mut out = Map::new();
    for a in body.attributes() {
        let k = a.key.value().as_str();
        if top && matches!(k, "count" | "for_each" | "provider" | "depends_on") {
            continue;
        }
        out.insert(k.to_string(), embed(env.eval(&a.value)?));
    }
    for b in body.blocks() {
        let kind = b.ident.value().as_str();
        if top && matches!(kind, "lifecycle" | "provisioner" | "connection") {
            continue;
        }
        if kind == "dynamic" {
            let Some(name) = b.labels.first().map(|l| l.as_str().to_string()) else {
                return Err(EvalError::new("a dynamic block needs a label").at(b.span()));
            };
            let iter_name = match b.body.get_attribute("iterator").map(|a| &a.value) {
                Some(Expression::Variable(v)) => v.value().to_string(),
                Some(other) => {
                    return Err(EvalError::new("iterator must be a name").at(other.span()))
                }
                None => name.clone(),
            };
            let Some(fe) = b.body.get_attribute("for_each") else {
                return Err(EvalError::new("a dynamic block needs for_each").at(b.span()));
            };
            let Some(content) = b
                .body
                .blocks()
                .find(|c| c.ident.value().as_str() == "content")
            else {
                return Err(EvalError::new("a dynamic block needs a content block").at(b.span()));
            };
            let list = out
                .entry(name.clone())
                .or_insert_with(|| Json::Array(vec![]));
            let coll = env.eval(&fe.value)?;
            let items = match coll {
                Value::Unknown(u) => {
                    if let Json::Array(l) = list {
                        l.push(u.to_json());
                    }
                    continue;
                }
                Value::Known(j) => {
                    iterate_as(&j, is_set_call(&fe.value)).map_err(|e| e.at(fe.value.span()))?
                }
            };
            let mut blocks = Vec::with_capacity(items.len());
            for (k, v) in items {
                super::value::charge(1)?;
                let mut it = Map::new();
                it.insert("key".into(), k);
                it.insert("value".into(), embed(v));
                let child = env.child(vec![(iter_name.clone(), Value::Known(Json::Object(it)))]);
                blocks.push(Json::Object(eval_body(&child, &content.body, false)?));
            }
            if let Some(Json::Array(l)) = out.get_mut(&name) {
                l.extend(blocks);
            }
            continue;
        }
        let v = Json::Object(eval_body(env, &b.body, false)?);
        match out
            .entry(kind.to_string())
            .or_insert_with(|| Json::Array(vec![]))
        {
            Json::Array(l) => l.push(v),
            _ => {
                return Err(
                    EvalError::new(format!("\"{kind}\" is both an argument and a block"))
                        .at(b.span()),
                )
            }
        }
    }
    Ok(out)
}
