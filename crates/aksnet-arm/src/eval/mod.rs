//! The evaluator: an [`Expr`] over a [`Context`] to a [`Value`].
//!
//! Unknown flows: a function with an unknown argument returns that unknown, except where the
//! result does not depend on it: `if` evaluates only the branch its (known) condition picks,
//! `coalesce` returns the first known non-null argument before any unknown, `and` is false on a
//! known false and `or` true on a known true whatever the other arguments are.
//! `resourceGroup().x`, `subscription().x` and `deployment().name` read single facts, so an
//! unset location does not make the known name unknown. Lambda functions (`map`, `filter`...)
//! are unknown when their input or their body for any element is. The whole
//! `resourceGroup()`, `subscription()` and `tenant()` objects are built from the facts given;
//! what no fact gives (tags, display names) reads as unknown. Values that differ at every
//! deployment (`utcNow`, `newGuid`) are unknown.
//!
//! This module is the core (evaluation of literals, accesses and calls; argument helpers); the
//! functions live in one module per family of Microsoft's template-functions reference, each
//! answering which of its functions a lowercase name is.

use std::cell::{Cell, RefCell};

use serde_json::{json, Value as Json};

use crate::expr::{parse_template_string, Expr, ExprKind, Template};
use crate::value::{get_ci, type_name, Context, EvalError, Host, NoHost, Unknown, Value};

/// Returns from the enclosing function with the value if it is unknown, else yields the JSON.
macro_rules! known {
    ($v:expr) => {
        match $v {
            Value::Known(j) => j,
            u @ Value::Unknown(_) => return Ok(u),
        }
    };
}

mod array;
mod cidr;
mod date;
mod encoding;
mod lambda;
mod logical;
mod numeric;
mod resource;
mod string;

/// Evaluates a whole template string (literal, `[[` escape or `[...]` expression).
pub fn eval_template_string(s: &str, ctx: &Context) -> Result<Value, crate::Error> {
    match parse_template_string(s)? {
        Template::Literal(l) => Ok(Value::Known(Json::String(l))),
        Template::Expr(e) => Ok(eval(&e, ctx)?),
    }
}

/// Evaluates a parsed expression with no template around it (see [`eval_with`]).
pub fn eval(e: &Expr, ctx: &Context) -> Result<Value, EvalError> {
    eval_with(e, ctx, &NoHost)
}

/// Evaluates a parsed expression inside a template: `host` answers what only the template
/// being deployed knows (lazily evaluated variables, copy indexes, references to its resources).
pub fn eval_with(e: &Expr, ctx: &Context, host: &dyn Host) -> Result<Value, EvalError> {
    Ev {
        ctx,
        host,
        locals: RefCell::new(Vec::new()),
        lambda_calls: Cell::new(0),
    }
    .eval(e)
}

/// The evaluator's state: the deployment's facts, the template around the expression and the
/// lambda variables in scope.
struct Ev<'a> {
    ctx: &'a Context,
    host: &'a dyn Host,
    /// Bound lambda variables, innermost last.
    locals: RefCell<Vec<(String, Json)>>,
    /// Lambda bodies evaluated so far (bounded: nested lambdas must not run for ever).
    lambda_calls: Cell<usize>,
}

/// A function whose arguments are all known: called with their values.
type Fun = fn(&Ev, &Call, &[Json]) -> Result<Value, EvalError>;

/// A function that evaluates its own arguments (some may not matter, or are lambdas).
type LazyFun = fn(&Ev, &Call) -> Result<Value, EvalError>;

/// The families with functions that evaluate their own arguments.
const LAZY_FAMILIES: [fn(&str) -> Option<LazyFun>; 2] = [logical::lazy, lambda::lazy];

/// The families, asked in turn which function a lowercase name is.
const FAMILIES: [fn(&str) -> Option<Fun>; 9] = [
    resource::function,
    string::function,
    encoding::function,
    array::function,
    logical::function,
    numeric::function,
    lambda::function,
    cidr::function,
    date::function,
];

/// Whether `e` reads into the result of `reference(...)`: a property the template does not
/// declare is then one Azure sets at deployment (an address, a provisioning state), unknown
/// rather than an error.
fn reads_reference(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { name, .. } => name.eq_ignore_ascii_case("reference"),
        ExprKind::Property { target, .. } | ExprKind::Index { target, .. } => {
            reads_reference(target)
        }
        _ => false,
    }
}

/// The unknown value of `e`, with why.
fn unknown(e: &Expr, reason: &str) -> Value {
    Value::Unknown(Unknown {
        expression: e.to_string(),
        reason: reason.to_string(),
        of: None,
    })
}

/// A known result.
fn k(j: Json) -> Result<Value, EvalError> {
    Ok(Value::Known(j))
}

/// A function call being evaluated: its name, node and argument expressions, for errors.
struct Call<'e> {
    /// The name as written.
    name: &'e str,
    /// The name in lowercase.
    lname: &'e str,
    call: &'e Expr,
    args: &'e [Expr],
}

impl Call<'_> {
    fn arity(&self, min: usize, max: usize) -> Result<(), EvalError> {
        let n = self.args.len();
        if n < min || n > max {
            let expected = if min == max {
                min.to_string()
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(EvalError::Arity {
                function: self.name.to_string(),
                expected,
                found: n,
                column: self.call.start + 1,
            });
        }
        Ok(())
    }

    fn bad(&self, i: usize, expected: &str, found: &Json) -> EvalError {
        EvalError::Argument {
            function: self.name.to_string(),
            argument: i + 1,
            expected: expected.to_string(),
            found: type_name(found).to_string(),
            column: self.args.get(i).map_or(self.call.start, |a| a.start) + 1,
        }
    }

    fn bad_value(&self, i: usize, expected: &str, found: String) -> EvalError {
        EvalError::Argument {
            function: self.name.to_string(),
            argument: i + 1,
            expected: expected.to_string(),
            found,
            column: self.args.get(i).map_or(self.call.start, |a| a.start) + 1,
        }
    }

    fn str<'j>(&self, v: &'j [Json], i: usize) -> Result<&'j str, EvalError> {
        v[i].as_str().ok_or_else(|| self.bad(i, "string", &v[i]))
    }

    fn int(&self, v: &[Json], i: usize) -> Result<i64, EvalError> {
        v[i].as_i64().ok_or_else(|| self.bad(i, "int", &v[i]))
    }

    fn bool(&self, v: &[Json], i: usize) -> Result<bool, EvalError> {
        v[i].as_bool().ok_or_else(|| self.bad(i, "bool", &v[i]))
    }
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// ARM's `string()` conversion.
fn to_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The longest string a function may return (hostile nesting must not exhaust memory).
const MAX_STRING: usize = 1 << 20;

/// The most array elements and object members (counted through every level) a function may
/// return: hostile doubling (`concat(x, x)` nested, `map` over `range`) must end in an error,
/// not in exhausting memory.
const MAX_NODES: usize = 1 << 20;

/// Refuses a result larger than [`MAX_STRING`] bytes of text or [`MAX_NODES`] elements.
fn bounded(c: &Call, j: &Json) -> Result<(), EvalError> {
    // Counts nodes and text bytes, stopping as soon as either bound is passed.
    fn size(j: &Json, nodes: &mut usize, bytes: &mut usize) -> bool {
        match j {
            Json::String(s) => *bytes += s.len(),
            Json::Array(a) => {
                *nodes += a.len();
                if *nodes > MAX_NODES {
                    return false;
                }
                return a.iter().all(|x| size(x, nodes, bytes));
            }
            Json::Object(o) => {
                *nodes += o.len();
                if *nodes > MAX_NODES {
                    return false;
                }
                return o.iter().all(|(k, x)| {
                    *bytes += k.len();
                    size(x, nodes, bytes)
                });
            }
            _ => {}
        }
        *bytes <= MAX_STRING.saturating_mul(16)
    }
    let (mut nodes, mut bytes) = (0, 0);
    if let Json::String(s) = j {
        if s.len() > MAX_STRING {
            return Err(c.bad_value(
                0,
                &format!("a result of at most {MAX_STRING} bytes"),
                format!("{} bytes", s.len()),
            ));
        }
        return Ok(());
    }
    if size(j, &mut nodes, &mut bytes) {
        Ok(())
    } else {
        Err(c.bad_value(
            0,
            &format!(
                "a result of at most {MAX_NODES} elements and {} bytes of text",
                MAX_STRING * 16
            ),
            "more".into(),
        ))
    }
}

impl Ev<'_> {
    fn eval(&self, e: &Expr) -> Result<Value, EvalError> {
        match &e.kind {
            ExprKind::Str(s) => k(Json::String(s.clone())),
            ExprKind::Int(i) => k(json!(i)),
            ExprKind::Bool(b) => k(Json::Bool(*b)),
            ExprKind::Null => k(Json::Null),
            ExprKind::Call { name, args } => self.call(e, name, args),
            ExprKind::Property { target, name } => {
                if let Some(v) = resource::fact(self.ctx, target, name) {
                    return Ok(v.unwrap_or_else(|r| unknown(e, &r)));
                }
                let t = match self.eval(target)? {
                    Value::Known(j) => j,
                    // An attribute Azure sets on a resource: the whole read, not only its
                    // first missing step, says which value it is
                    // (`reference(mc).identityProfile.kubeletidentity.objectId`).
                    Value::Unknown(u) if u.of.is_some() => {
                        return Ok(Value::Unknown(Unknown {
                            expression: e.to_string(),
                            ..u
                        }))
                    }
                    u @ Value::Unknown(_) => return Ok(u),
                };
                self.access_read(e, target, &t, &Json::String(name.clone()))
            }
            ExprKind::Index { target, index } => {
                let t = known!(self.eval(target)?);
                let i = known!(self.eval(index)?);
                self.access_read(e, target, &t, &i)
            }
        }
    }

    /// [`Self::access`], except that what a reference's result lacks is unknown.
    fn access_read(&self, e: &Expr, target: &Expr, t: &Json, i: &Json) -> Result<Value, EvalError> {
        match self.access(e, t, i) {
            Err(EvalError::Access { message, .. }) if reads_reference(target) => {
                Ok(Value::Unknown(Unknown {
                    expression: e.to_string(),
                    reason: format!("set by Azure at deployment, not in the template ({message})"),
                    of: self.referenced_id(target),
                }))
            }
            Err(EvalError::Access { message, .. }) if resource::partial_object(target) => {
                Ok(unknown(
                    e,
                    &format!("not among the deployment facts provided ({message})"),
                ))
            }
            r => r,
        }
    }

    /// The id of the resource `reference(...)` at the bottom of `e` reads: its first argument
    /// when that is an id, or the id of the symbolic name it gives (language version 2.0).
    fn referenced_id(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Property { target, .. } | ExprKind::Index { target, .. } => {
                self.referenced_id(target)
            }
            ExprKind::Call { name, args } if name.eq_ignore_ascii_case("reference") => {
                let target = self.eval(args.first()?).ok()?;
                let target = target.known()?.as_str()?.to_string();
                if target.starts_with('/') {
                    return Some(target);
                }
                let info = self.host.resource_info(&target)?;
                Some(info.known()?.get("id")?.as_str()?.to_string())
            }
            _ => None,
        }
    }

    fn access(&self, e: &Expr, t: &Json, i: &Json) -> Result<Value, EvalError> {
        let err = |message: String| EvalError::Access {
            message,
            column: e.start + 1,
        };
        match (t, i) {
            (Json::Object(m), Json::String(key)) => get_ci(m, key)
                .cloned()
                .map(Value::from_json)
                .ok_or_else(|| err(format!("the object has no property '{key}'"))),
            (Json::Array(a), Json::Number(n)) => {
                let idx = n.as_i64().unwrap_or(-1);
                usize::try_from(idx)
                    .ok()
                    .and_then(|x| a.get(x))
                    .cloned()
                    .map(Value::Known)
                    .ok_or_else(|| {
                        err(format!(
                            "index {idx} is out of range for an array of {}",
                            a.len()
                        ))
                    })
            }
            (t, i) => Err(err(format!(
                "cannot index a {} with a {}",
                type_name(t),
                type_name(i)
            ))),
        }
    }

    /// Evaluates all arguments; the first unknown (in order) wins.
    fn args(&self, args: &[Expr]) -> Result<Result<Vec<Json>, Value>, EvalError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match self.eval(a)? {
                Value::Known(j) => out.push(j),
                u => return Ok(Err(u)),
            }
        }
        Ok(Ok(out))
    }

    fn call(&self, e: &Expr, name: &str, args: &[Expr]) -> Result<Value, EvalError> {
        let lname = name.to_ascii_lowercase();
        let c = Call {
            name,
            lname: &lname,
            call: e,
            args,
        };
        if let Some((namespace, member)) = name.split_once('.') {
            return self.user_call(&c, namespace, member);
        }
        let r = if let Some(f) = LAZY_FAMILIES.iter().find_map(|family| family(&lname)) {
            f(self, &c)?
        } else {
            let v = match self.args(args)? {
                Ok(v) => v,
                Err(u) => return Ok(u),
            };
            let f = FAMILIES
                .iter()
                .find_map(|family| family(&lname))
                .ok_or_else(|| EvalError::UnknownFunction {
                    name: name.to_string(),
                    column: e.start + 1,
                })?;
            f(self, &c, &v)?
        };
        if let Value::Known(j) = &r {
            bounded(&c, j)?;
        }
        Ok(r)
    }
}

impl Ev<'_> {
    /// Calls a user-defined function: its arguments bound to its parameters, its output
    /// evaluated with nothing else of the template in reach (no variables, no other
    /// user-defined functions, no `reference`: Learn, "User-defined functions in ARM
    /// templates", limitations); the deployment's facts (`resourceGroup()`...) stay.
    fn user_call(&self, c: &Call, namespace: &str, member: &str) -> Result<Value, EvalError> {
        let f = self.host.user_function(namespace, member).ok_or_else(|| {
            EvalError::UnknownFunction {
                name: c.name.to_string(),
                column: c.call.start + 1,
            }
        })?;
        c.arity(f.parameters.len(), f.parameters.len())?;
        let v = match self.args(c.args)? {
            Ok(v) => v,
            Err(u) => return Ok(u),
        };
        let host = FunctionScope {
            bound: f.parameters.iter().cloned().zip(v).collect(),
        };
        let inner = Ev {
            ctx: self.ctx,
            host: &host,
            locals: RefCell::new(Vec::new()),
            lambda_calls: Cell::new(self.lambda_calls.get()),
        };
        let out = inner.eval_json(&f.output);
        self.lambda_calls.set(inner.lambda_calls.get());
        // An error in the function's own text is said at the call, naming the function.
        out.map_err(|e| EvalError::Access {
            message: format!("in user-defined function {}: {e}", c.name),
            column: c.call.start + 1,
        })
    }

    /// A JSON value whose strings may be template expressions, evaluated.
    fn eval_json(&self, j: &Json) -> Result<Value, EvalError> {
        match j {
            Json::String(s) => match crate::expr::parse_template_string(s) {
                Ok(crate::Template::Expr(e)) => self.eval(&e),
                Ok(crate::Template::Literal(l)) => Ok(Value::Known(Json::String(l))),
                Err(e) => Err(EvalError::Access {
                    message: format!("does not parse: {e}"),
                    column: e.column,
                }),
            },
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    match self.eval_json(i)? {
                        Value::Known(x) => out.push(x),
                        u => return Ok(u),
                    }
                }
                Ok(Value::Known(Json::Array(out)))
            }
            Json::Object(o) => {
                let mut out = serde_json::Map::new();
                for (k, x) in o {
                    match self.eval_json(x)? {
                        Value::Known(x) => {
                            out.insert(k.clone(), x);
                        }
                        u => return Ok(u),
                    }
                }
                Ok(Value::Known(Json::Object(out)))
            }
            other => Ok(Value::Known(other.clone())),
        }
    }
}

/// What a user-defined function's output sees: its parameters only.
struct FunctionScope {
    bound: Vec<(String, Json)>,
}

impl Host for FunctionScope {
    fn parameter(&self, name: &str) -> Option<Result<Value, EvalError>> {
        Some(
            self.bound
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| Value::Known(v.clone()))
                .ok_or_else(|| EvalError::Undefined {
                    kind: "parameter of the function",
                    name: name.to_string(),
                    column: 1,
                }),
        )
    }

    fn variable(&self, name: &str) -> Option<Result<Value, EvalError>> {
        Some(Err(EvalError::Undefined {
            kind: "variable a user-defined function can read (it cannot read the template's)",
            name: name.to_string(),
            column: 1,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn ctx() -> Context {
        let mut c = Context {
            subscription_id: Some("sub-1".into()),
            resource_group_name: Some("rg-1".into()),
            resource_group_location: Some("westeurope".into()),
            deployment_name: Some("dep".into()),
            tenant_id: Some("t-1".into()),
            ..Context::default()
        };
        c.parameters
            .insert("testString".into(), json!("one two three"));
        c.parameters.insert(
            "testObject".into(),
            json!({"valueA": 10, "valueB": "Example Text"}),
        );
        c.variables.insert(
            "vnet".into(),
            json!({"subnets": [{"name": "a"}, {"name": "b"}]}),
        );
        c
    }

    pub(super) fn ev(s: &str) -> Json {
        match eval_template_string(s, &ctx()).unwrap_or_else(|e| panic!("{s}: {e}")) {
            Value::Known(j) => j,
            Value::Unknown(u) => panic!("{s}: unknown {u:?}"),
        }
    }

    pub(super) fn unk(s: &str, c: &Context) -> Unknown {
        match eval_template_string(s, c).unwrap() {
            Value::Unknown(u) => u,
            Value::Known(j) => panic!("{s}: known {j}"),
        }
    }

    pub(super) fn err(s: &str) -> crate::Error {
        eval_template_string(s, &ctx()).unwrap_err()
    }

    #[test]
    fn unknown_propagates_except_where_irrelevant() {
        let mut c = ctx();
        c.resource_group_location = None;
        let u = unk("[concat('x-', toUpper(resourceGroup().location))]", &c);
        assert_eq!(u.expression, "resourceGroup().location");
        assert!(u.reason.contains("location"));
        // The name is still known.
        assert_eq!(
            eval_template_string("[resourceGroup().name]", &c).unwrap(),
            Value::Known(json!("rg-1"))
        );
        let known = |s: &str| eval_template_string(s, &c).unwrap().known().cloned();
        assert_eq!(
            known("[if(false, resourceGroup().location, 'x')]"),
            Some(json!("x"))
        );
        assert_eq!(
            known("[coalesce(null(), 'a', resourceGroup().location)]"),
            Some(json!("a"))
        );
        assert_eq!(
            known("[and(false, resourceGroup().location)]"),
            Some(json!(false))
        );
        assert_eq!(
            known("[or(resourceGroup().location, true)]"),
            Some(json!(true))
        );
        assert_eq!(
            known("[and(true, equals(resourceGroup().location, 'x'))]"),
            None
        );
        assert_eq!(known("[if(true, resourceGroup().location, 'x')]"), None);
        c.subscription_id = None;
        let u = unk("[resourceId('Microsoft.Network/virtualNetworks', 'v')]", &c);
        assert!(u.reason.contains("subscription"));
        let u = unk("[uniqueString(resourceGroup().location)]", &c);
        assert!(u.reason.contains("location"));
        assert_eq!(
            ev("[uniqueString('hello', 'world')]"),
            json!("a7wkljktk6wne")
        );
        assert_eq!(ev("[uniqueString('test')]"), json!("rbgf3xv4ufgzg"));
        assert_eq!(
            ev("[guid('test', 'value')]"),
            json!("95b33d6a-06a0-5961-9b94-a0f6c648352b")
        );
        let u = unk("[guid(resourceGroup().location, 'x')]", &c);
        assert!(u.reason.contains("location"));
    }

    #[test]
    fn errors_name_function_argument_and_column() {
        match err("[add(1, 'two')]") {
            crate::Error::Eval(EvalError::Argument {
                function,
                argument,
                column,
                ..
            }) => {
                assert_eq!((function.as_str(), argument, column), ("add", 2, 9));
            }
            e => panic!("{e:?}"),
        }
        assert!(matches!(
            err("[toLower('a', 'b')]"),
            crate::Error::Eval(EvalError::Arity {
                found: 2,
                column: 2,
                ..
            })
        ));
        assert!(matches!(
            err("[nope()]"),
            crate::Error::Eval(EvalError::UnknownFunction { .. })
        ));
        assert!(matches!(
            err("[parameters('x')]"),
            crate::Error::Eval(EvalError::Undefined { .. })
        ));
        assert!(matches!(
            err("[createArray(1)[3]]"),
            crate::Error::Eval(EvalError::Access { .. })
        ));
        assert!(matches!(
            err("[string(1).x]"),
            crate::Error::Eval(EvalError::Access { .. })
        ));
        assert!(matches!(
            err("[parameters('testObject').nope]"),
            crate::Error::Eval(EvalError::Access { .. })
        ));
        assert!(matches!(
            err("[div(1, 0)]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        assert!(matches!(
            err("[substring('abc', 2, 5)]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        assert!(matches!(
            err("[range(0, 10001)]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        assert!(matches!(
            err("[add(9223372036854775807, 1)]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        assert!(matches!(err("[concat(1]"), crate::Error::Parse(_)));
        assert!(matches!(
            err("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]"),
            crate::Error::Eval(EvalError::Arity { .. })
        ));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Functions the random expressions call.
    const FUNCTIONS: &[&str] = &[
        "concat",
        "format",
        "substring",
        "take",
        "skip",
        "range",
        "split",
        "replace",
        "indexOf",
        "union",
        "intersection",
        "min",
        "div",
        "mod",
        "resourceId",
        "createObject",
        "tryGet",
        "json",
        "int",
        "first",
        "length",
        "map",
        "filter",
        "reduce",
        "sort",
        "toObject",
        "groupBy",
        "mapValues",
        "lambdaVariables",
        "lambda",
        "items",
        "objectKeys",
        "shallowMerge",
        "flatten",
        "lastIndexOf",
        "padLeft",
        "base64",
        "base64ToString",
        "base64ToJson",
        "uri",
        "uriComponent",
        "uriComponentToString",
        "dataUri",
        "dataUriToString",
        "string",
        "environment",
        "managementGroup",
        "tenant",
        "resourceGroup",
        "subscription",
        "deployment",
        "cidrSubnet",
        "cidrHost",
        "parseCidr",
        "guid",
        "newGuid",
        "utcNow",
        "dateTimeAdd",
        "dateTimeToEpoch",
        "dateTimeFromEpoch",
        "pickZones",
    ];

    /// Arguments: literals of every type, CIDRs, encodings, dates and lambdas.
    fn arg() -> impl Strategy<Value = String> {
        prop_oneof![
            "'[a-z{}0-9/,:%=.-]{0,6}'".prop_map(|s| s),
            (-3i64..12).prop_map(|i| i.to_string()),
            prop::sample::select(vec![
                "createArray(1, 'a')",
                "createArray(createArray(1), createArray('b'))",
                "createArray(createObject('a', 1), createObject('b', 2))",
                "createObject('a', 1)",
                "null()",
                "true",
                "9223372036854775807",
                "-9223372036854775808",
                "'10.0.0.0/8'",
                "'10.1.2.3/31'",
                "'0.0.0.0/0'",
                "'::/0'",
                "'fdad:3236:5555::/48'",
                "'data:;base64,SGVsbG8='",
                "'http://h/p/q'",
                "'2023-05-02T15:16:13Z'",
                "lambda('x', lambdaVariables('x'))",
                "lambda('x', 'i', lambdaVariables('i'))",
                "lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b')))",
                "lambda('a', 'b', true)",
                "lambda('x', string(lambdaVariables('x')))",
                "lambda('x', map(range(0, 100), lambda('y', lambdaVariables('x'))))",
            ])
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        #[test]
        fn evaluation_never_panics(
            f in prop::sample::select(FUNCTIONS.to_vec()),
            args in prop::collection::vec(arg(), 0..4),
        ) {
            let src = format!("[{f}({})]", args.join(", "));
            let _ = eval_template_string(&src, &Context::default());
        }

        #[test]
        fn nested_evaluation_never_panics(
            f in prop::sample::select(FUNCTIONS.to_vec()),
            g in prop::sample::select(FUNCTIONS.to_vec()),
            inner in prop::collection::vec(arg(), 0..3),
            outer in prop::collection::vec(arg(), 0..3),
        ) {
            let call = format!("{g}({})", inner.join(", "));
            let mut args = outer;
            args.insert(0, call);
            let src = format!("[{f}({})]", args.join(", "));
            let _ = eval_template_string(&src, &Context::default());
        }
    }
}
