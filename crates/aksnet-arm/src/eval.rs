//! The evaluator: an [`Expr`] over a [`Context`] to a [`Value`].
//!
//! Unknown flows: a function with an unknown argument returns that unknown, except where the
//! result does not depend on it: `if` evaluates only the branch its (known) condition picks,
//! `coalesce` returns the first known non-null argument before any unknown, `and` is false on a
//! known false and `or` true on a known true whatever the other arguments are.
//! `resourceGroup().x`, `subscription().x` and `deployment().name` read single facts, so an
//! unset location does not make the known name unknown.

use serde_json::{json, Map, Value as Json};

use crate::expr::{parse_template_string, Expr, ExprKind, Template};
use crate::value::{get_ci, type_name, Context, EvalError, Host, NoHost, Unknown, Value};

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
    Ev { ctx, host }.eval(e)
}

struct Ev<'a> {
    ctx: &'a Context,
    host: &'a dyn Host,
}

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

fn unknown(e: &Expr, reason: &str) -> Value {
    Value::Unknown(Unknown {
        expression: e.to_string(),
        reason: reason.to_string(),
    })
}

fn k(j: Json) -> Result<Value, EvalError> {
    Ok(Value::Known(j))
}

macro_rules! known {
    ($v:expr) => {
        match $v {
            Value::Known(j) => j,
            u @ Value::Unknown(_) => return Ok(u),
        }
    };
}

struct Call<'e> {
    name: &'e str,
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

fn find_ci(hay: &str, needle: &str, last: bool) -> i64 {
    let h = hay.to_lowercase();
    let n = needle.to_lowercase();
    let byte = if last { h.rfind(&n) } else { h.find(&n) };
    byte.map_or(-1, |b| h[..b].chars().count() as i64)
}

/// The longest string a function may return (hostile nesting must not exhaust memory).
const MAX_STRING: usize = 1 << 20;

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

fn union_objects(a: &mut Map<String, Json>, b: &Map<String, Json>) {
    for (key, v) in b {
        match (a.get_mut(key), v) {
            (Some(Json::Object(x)), Json::Object(y)) => union_objects(x, y),
            _ => {
                a.insert(key.clone(), v.clone());
            }
        }
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
                if let Some(v) = self.fact(target, name) {
                    return Ok(v.unwrap_or_else(|r| unknown(e, &r)));
                }
                let t = known!(self.eval(target)?);
                self.access_read(e, target, &t, &Json::String(name.clone()))
            }
            ExprKind::Index { target, index } => {
                let t = known!(self.eval(target)?);
                let i = known!(self.eval(index)?);
                self.access_read(e, target, &t, &i)
            }
        }
    }

    /// `resourceGroup().name` etc.: a single deployment fact, known or with the reason it is not.
    fn fact(&self, target: &Expr, prop: &str) -> Option<Result<Value, String>> {
        let ExprKind::Call { name, args } = &target.kind else {
            return None;
        };
        if !args.is_empty() {
            return None;
        }
        let c = self.ctx;
        let p = prop.to_ascii_lowercase();
        let s = |o: &Option<String>, what: &str| -> Result<Value, String> {
            o.clone()
                .map(|v| Value::Known(Json::String(v)))
                .ok_or_else(|| format!("the {what} was not provided"))
        };
        let r = match (name.to_ascii_lowercase().as_str(), p.as_str()) {
            ("resourcegroup", "name") => s(&c.resource_group_name, "resource group name"),
            ("resourcegroup", "location") => {
                s(&c.resource_group_location, "resource group location")
            }
            ("resourcegroup", "id") => match (&c.subscription_id, &c.resource_group_name) {
                (Some(sub), Some(rg)) => Ok(Value::Known(Json::String(format!(
                    "/subscriptions/{sub}/resourceGroups/{rg}"
                )))),
                _ => Err("the subscription id or resource group name was not provided".into()),
            },
            ("subscription", "subscriptionid") => s(&c.subscription_id, "subscription id"),
            ("subscription", "tenantid") => s(&c.tenant_id, "tenant id"),
            ("subscription", "id") => c
                .subscription_id
                .as_ref()
                .map(|sub| Value::Known(Json::String(format!("/subscriptions/{sub}"))))
                .ok_or_else(|| "the subscription id was not provided".to_string()),
            ("deployment", "name") => s(&c.deployment_name, "deployment name"),
            _ => return None,
        };
        Some(r)
    }

    /// [`Self::access`], except that what a reference's result lacks is unknown.
    fn access_read(&self, e: &Expr, target: &Expr, t: &Json, i: &Json) -> Result<Value, EvalError> {
        match self.access(e, t, i) {
            Err(EvalError::Access { message, .. }) if reads_reference(target) => Ok(unknown(
                e,
                &format!("set by Azure at deployment, not in the template ({message})"),
            )),
            r => r,
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
                .map(Value::Known)
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
            call: e,
            args,
        };
        // Functions that do not need every argument.
        match lname.as_str() {
            "if" => {
                c.arity(3, 3)?;
                let cond = known!(self.eval(&args[0])?);
                let b = cond.as_bool().ok_or_else(|| c.bad(0, "bool", &cond))?;
                return self.eval(&args[if b { 1 } else { 2 }]);
            }
            "coalesce" => {
                c.arity(1, usize::MAX)?;
                for a in args {
                    match self.eval(a)? {
                        Value::Known(Json::Null) => {}
                        v => return Ok(v),
                    }
                }
                return k(Json::Null);
            }
            "and" | "or" => {
                c.arity(2, usize::MAX)?;
                let short = lname == "or";
                let mut first_unknown = None;
                for (i, a) in args.iter().enumerate() {
                    match self.eval(a)? {
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
                return Ok(first_unknown.unwrap_or(Value::Known(Json::Bool(!short))));
            }
            "guid" => {
                c.arity(1, usize::MAX)?;
                return Ok(unknown(e, "not implemented yet"));
            }
            _ => {}
        }
        let v = match self.args(args)? {
            Ok(v) => v,
            Err(u) => return Ok(u),
        };
        let r = self.apply(&c, &lname, v)?;
        if let Value::Known(Json::String(s)) = &r {
            if s.len() > MAX_STRING {
                return Err(c.bad_value(
                    0,
                    &format!("a result of at most {MAX_STRING} bytes"),
                    format!("{} bytes", s.len()),
                ));
            }
        }
        Ok(r)
    }

    fn apply(&self, c: &Call, lname: &str, v: Vec<Json>) -> Result<Value, EvalError> {
        let e = c.call;
        match lname {
            "parameters" | "variables" => {
                c.arity(1, 1)?;
                let key = c.str(&v, 0)?;
                let hosted = if lname == "parameters" {
                    self.host.parameter(key)
                } else {
                    self.host.variable(key)
                };
                if let Some(r) = hosted {
                    return r;
                }
                let (map, kind) = if lname == "parameters" {
                    (&self.ctx.parameters, "parameter")
                } else {
                    (&self.ctx.variables, "variable")
                };
                get_ci(map, key)
                    .cloned()
                    .map(Value::Known)
                    .ok_or_else(|| EvalError::Undefined {
                        kind,
                        name: key.to_string(),
                        column: e.start + 1,
                    })
            }
            "copyindex" => {
                c.arity(0, 2)?;
                let (name, offset) = match v.as_slice() {
                    [] => (None, 0),
                    [Json::String(n)] => (Some(n.as_str()), 0),
                    [o] => (
                        None,
                        c.int(&v, 0).map_err(|_| c.bad(0, "int or loop name", o))?,
                    ),
                    [_, _] => (Some(c.str(&v, 0)?), c.int(&v, 1)?),
                    _ => unreachable!("arity checked"),
                };
                match self.host.copy_index(name) {
                    Some(i) => k(json!(i + offset)),
                    None => Err(EvalError::Access {
                        message: match name {
                            Some(n) => format!("copyIndex('{n}') outside a copy loop named '{n}'"),
                            None => "copyIndex() outside a copy loop".into(),
                        },
                        column: e.start + 1,
                    }),
                }
            }
            "reference" => {
                c.arity(1, 3)?;
                let target = c.str(&v, 0)?;
                let full = v
                    .get(2)
                    .and_then(Json::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("full"));
                Ok(self.host.reference(target, full).unwrap_or_else(|| {
                    unknown(
                        e,
                        "not a resource of this deployment: its state is known only to Azure",
                    )
                }))
            }
            "resourceinfo" => {
                c.arity(1, 1)?;
                let target = c.str(&v, 0)?;
                Ok(self
                    .host
                    .resource_info(target)
                    .unwrap_or_else(|| unknown(e, "not a resource of this deployment")))
            }
            l if l.starts_with("list") => Ok(unknown(
                e,
                "list* functions return keys and secrets known only to Azure",
            )),
            "resourcegroup" | "subscription" | "deployment" => {
                c.arity(0, 0)?;
                Ok(unknown(
                    e,
                    "the whole object is not modelled; read one property (name, id, location, subscriptionId, tenantId)",
                ))
            }
            "concat" => {
                c.arity(1, usize::MAX)?;
                if v.iter().all(Json::is_array) {
                    let mut out = Vec::new();
                    for a in &v {
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
            "format" => {
                c.arity(1, usize::MAX)?;
                let f = c.str(&v, 0)?;
                k(Json::String(format_net(c, f, &v[1..])?))
            }
            "empty" => {
                c.arity(1, 1)?;
                k(Json::Bool(match &v[0] {
                    Json::Null => true,
                    Json::String(s) => s.is_empty(),
                    Json::Array(a) => a.is_empty(),
                    Json::Object(o) => o.is_empty(),
                    other => return Err(c.bad(0, "string, array, object or null", other)),
                }))
            }
            "contains" => {
                c.arity(2, 2)?;
                k(Json::Bool(match (&v[0], &v[1]) {
                    (Json::String(s), x) => s.contains(&to_str(x)),
                    (Json::Array(a), x) => a.contains(x),
                    (Json::Object(o), Json::String(key)) => get_ci(o, key).is_some(),
                    (Json::Object(_), x) => return Err(c.bad(1, "string", x)),
                    (x, _) => return Err(c.bad(0, "string, array or object", x)),
                }))
            }
            "length" => {
                c.arity(1, 1)?;
                k(json!(match &v[0] {
                    Json::String(s) => s.chars().count(),
                    Json::Array(a) => a.len(),
                    Json::Object(o) => o.len(),
                    x => return Err(c.bad(0, "string, array or object", x)),
                }))
            }
            "union" => {
                c.arity(1, usize::MAX)?;
                if v.iter().all(Json::is_array) {
                    let mut out: Vec<Json> = Vec::new();
                    for x in v.iter().filter_map(Json::as_array).flatten() {
                        if !out.contains(x) {
                            out.push(x.clone());
                        }
                    }
                    return k(Json::Array(out));
                }
                let mut out = Map::new();
                for (i, x) in v.iter().enumerate() {
                    let o = x
                        .as_object()
                        .ok_or_else(|| c.bad(i, "object (all objects or all arrays)", x))?;
                    union_objects(&mut out, o);
                }
                k(Json::Object(out))
            }
            "intersection" => {
                c.arity(2, usize::MAX)?;
                if v.iter().all(Json::is_array) {
                    let mut out: Vec<Json> = Vec::new();
                    for x in v[0].as_array().into_iter().flatten() {
                        if !out.contains(x)
                            && v[1..]
                                .iter()
                                .all(|o| o.as_array().is_some_and(|a| a.contains(x)))
                        {
                            out.push(x.clone());
                        }
                    }
                    return k(Json::Array(out));
                }
                for (i, x) in v.iter().enumerate() {
                    if !x.is_object() {
                        return Err(c.bad(i, "object (all objects or all arrays)", x));
                    }
                }
                let mut out = Map::new();
                for (key, x) in v[0].as_object().into_iter().flatten() {
                    if v[1..].iter().all(|o| o.get(key) == Some(x)) {
                        out.insert(key.clone(), x.clone());
                    }
                }
                k(Json::Object(out))
            }
            "uniquestring" => {
                c.arity(1, usize::MAX)?;
                let mut parts = Vec::with_capacity(v.len());
                for i in 0..v.len() {
                    parts.push(c.str(&v, i)?);
                }
                k(Json::String(crate::hash::unique_string(&parts)))
            }
            "createarray" => k(Json::Array(v)),
            "createobject" => {
                if v.len() % 2 != 0 {
                    return Err(EvalError::Arity {
                        function: c.name.into(),
                        expected: "an even number of".into(),
                        found: v.len(),
                        column: e.start + 1,
                    });
                }
                let mut m = Map::new();
                for i in (0..v.len()).step_by(2) {
                    m.insert(c.str(&v, i)?.to_string(), v[i + 1].clone());
                }
                k(Json::Object(m))
            }
            "array" => {
                c.arity(1, 1)?;
                k(match &v[0] {
                    Json::Array(_) => v[0].clone(),
                    x => Json::Array(vec![x.clone()]),
                })
            }
            "string" => {
                c.arity(1, 1)?;
                k(Json::String(to_str(&v[0])))
            }
            "int" => {
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
            "bool" => {
                c.arity(1, 1)?;
                k(Json::Bool(match &v[0] {
                    Json::Bool(b) => *b,
                    Json::Number(n) => n.as_i64() != Some(0),
                    Json::String(s) if s.eq_ignore_ascii_case("true") => true,
                    Json::String(s) if s.eq_ignore_ascii_case("false") => false,
                    Json::String(s) => {
                        return Err(c.bad_value(0, "'true' or 'false'", format!("'{s}'")))
                    }
                    x => return Err(c.bad(0, "string, int or bool", x)),
                }))
            }
            "json" => {
                c.arity(1, 1)?;
                let s = c.str(&v, 0)?;
                serde_json::from_str(s)
                    .map(Value::Known)
                    .map_err(|err| c.bad_value(0, "valid JSON", err.to_string()))
            }
            "split" => {
                c.arity(2, 2)?;
                let s = c.str(&v, 0)?;
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
            "join" => {
                c.arity(2, 2)?;
                let a = v[0].as_array().ok_or_else(|| c.bad(0, "array", &v[0]))?;
                let d = c.str(&v, 1)?;
                let parts: Vec<String> = a.iter().map(to_str).collect();
                k(Json::String(parts.join(d)))
            }
            "replace" => {
                c.arity(3, 3)?;
                let (s, old, new) = (c.str(&v, 0)?, c.str(&v, 1)?, c.str(&v, 2)?);
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
            "tolower" | "toupper" => {
                c.arity(1, 1)?;
                let s = c.str(&v, 0)?;
                k(Json::String(if lname == "tolower" {
                    s.to_lowercase()
                } else {
                    s.to_uppercase()
                }))
            }
            "trim" => {
                c.arity(1, 1)?;
                k(Json::String(c.str(&v, 0)?.trim().to_string()))
            }
            "substring" => {
                c.arity(1, 3)?;
                let s = chars(c.str(&v, 0)?);
                let start = if v.len() > 1 { c.int(&v, 1)? } else { 0 };
                if start < 0 || start as usize > s.len() {
                    return Err(c.bad_value(
                        1,
                        &format!("a start index within 0..={}", s.len()),
                        start.to_string(),
                    ));
                }
                let start = start as usize;
                let len = if v.len() > 2 {
                    c.int(&v, 2)?
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
            "take" | "skip" => {
                c.arity(2, 2)?;
                let n = c.int(&v, 1)?.max(0) as usize;
                let take = lname == "take";
                k(match &v[0] {
                    Json::String(s) => {
                        let ch = chars(s);
                        let n = n.min(ch.len());
                        Json::String(if take {
                            ch[..n].iter().collect()
                        } else {
                            ch[n..].iter().collect()
                        })
                    }
                    Json::Array(a) => {
                        let n = n.min(a.len());
                        Json::Array(if take {
                            a[..n].to_vec()
                        } else {
                            a[n..].to_vec()
                        })
                    }
                    x => return Err(c.bad(0, "string or array", x)),
                })
            }
            "first" | "last" => {
                c.arity(1, 1)?;
                let first = lname == "first";
                k(match &v[0] {
                    Json::String(s) => {
                        let ch = if first {
                            s.chars().next()
                        } else {
                            s.chars().next_back()
                        };
                        Json::String(ch.map(String::from).unwrap_or_default())
                    }
                    Json::Array(a) => (if first { a.first() } else { a.last() })
                        .cloned()
                        .unwrap_or(Json::Null),
                    x => return Err(c.bad(0, "string or array", x)),
                })
            }
            "indexof" | "lastindexof" => {
                c.arity(2, 2)?;
                let last = lname == "lastindexof";
                k(json!(match &v[0] {
                    Json::String(s) => find_ci(s, c.str(&v, 1)?, last),
                    Json::Array(a) => {
                        let pos = if last {
                            a.iter().rposition(|x| x == &v[1])
                        } else {
                            a.iter().position(|x| x == &v[1])
                        };
                        pos.map_or(-1, |p| p as i64)
                    }
                    x => return Err(c.bad(0, "string or array", x)),
                }))
            }
            "startswith" | "endswith" => {
                c.arity(2, 2)?;
                let s = c.str(&v, 0)?.to_lowercase();
                let p = c.str(&v, 1)?.to_lowercase();
                k(Json::Bool(if lname == "startswith" {
                    s.starts_with(&p)
                } else {
                    s.ends_with(&p)
                }))
            }
            "range" => {
                c.arity(2, 2)?;
                let (start, count) = (c.int(&v, 0)?, c.int(&v, 1)?);
                if !(0..=10_000).contains(&count) {
                    return Err(c.bad_value(1, "a count within 0..=10000", count.to_string()));
                }
                if start
                    .checked_add(count)
                    .is_none_or(|end| end > i64::from(i32::MAX) + 1)
                {
                    return Err(c.bad_value(
                        0,
                        "start + count at most 2147483647",
                        start.to_string(),
                    ));
                }
                k(Json::Array(
                    (start..start + count).map(|i| json!(i)).collect(),
                ))
            }
            "min" | "max" => {
                c.arity(1, usize::MAX)?;
                let mut nums = Vec::new();
                if v.len() == 1 && v[0].is_array() {
                    for x in v[0].as_array().into_iter().flatten() {
                        nums.push(x.as_i64().ok_or_else(|| c.bad(0, "array of ints", x))?);
                    }
                } else {
                    for i in 0..v.len() {
                        nums.push(c.int(&v, i)?);
                    }
                }
                let r = if lname == "min" {
                    nums.iter().min()
                } else {
                    nums.iter().max()
                };
                match r {
                    Some(n) => k(json!(n)),
                    None => Err(c.bad_value(0, "a non-empty array", "[]".into())),
                }
            }
            "add" | "sub" | "mul" | "div" | "mod" => {
                c.arity(2, 2)?;
                let (a, b) = (c.int(&v, 0)?, c.int(&v, 1)?);
                let r = match lname {
                    "add" => a.checked_add(b),
                    "sub" => a.checked_sub(b),
                    "mul" => a.checked_mul(b),
                    _ if b == 0 => return Err(c.bad_value(1, "a non-zero divisor", "0".into())),
                    "div" => a.checked_div(b),
                    _ => a.checked_rem(b),
                };
                r.map(|n| Value::Known(json!(n))).ok_or_else(|| {
                    c.bad_value(1, "a result within 64 bits", format!("{a} {lname} {b}"))
                })
            }
            "equals" => {
                c.arity(2, 2)?;
                k(Json::Bool(v[0] == v[1]))
            }
            "less" | "lessorequals" | "greater" | "greaterorequals" => {
                c.arity(2, 2)?;
                let ord = match (&v[0], &v[1]) {
                    (Json::Number(_), Json::Number(_)) => c.int(&v, 0)?.cmp(&c.int(&v, 1)?),
                    (Json::String(a), Json::String(b)) => a.cmp(b),
                    (Json::Number(_) | Json::String(_), x) => {
                        return Err(c.bad(1, &format!("{} like argument 1", type_name(&v[0])), x))
                    }
                    (x, _) => return Err(c.bad(0, "int or string", x)),
                };
                use std::cmp::Ordering::*;
                k(Json::Bool(match lname {
                    "less" => ord == Less,
                    "lessorequals" => ord != Greater,
                    "greater" => ord == Greater,
                    _ => ord != Less,
                }))
            }
            "not" => {
                c.arity(1, 1)?;
                k(Json::Bool(!c.bool(&v, 0)?))
            }
            "null" => {
                c.arity(0, 0)?;
                k(Json::Null)
            }
            "tryget" => {
                c.arity(2, usize::MAX)?;
                let mut cur = v[0].clone();
                for key in &v[1..] {
                    cur = match (&cur, key) {
                        (Json::Object(m), Json::String(s)) => {
                            get_ci(m, s).cloned().unwrap_or(Json::Null)
                        }
                        (Json::Array(a), Json::Number(n)) => n
                            .as_u64()
                            .and_then(|i| a.get(i as usize))
                            .cloned()
                            .unwrap_or(Json::Null),
                        (Json::Null, _) => Json::Null,
                        _ => Json::Null,
                    };
                }
                k(cur)
            }
            "resourceid"
            | "subscriptionresourceid"
            | "tenantresourceid"
            | "extensionresourceid" => self.resource_id(c, lname, &v),
            _ => Err(EvalError::UnknownFunction {
                name: c.name.to_string(),
                column: e.start + 1,
            }),
        }
    }

    fn resource_id(&self, c: &Call, lname: &str, v: &[Json]) -> Result<Value, EvalError> {
        c.arity(2, usize::MAX)?;
        let mut strs = Vec::with_capacity(v.len());
        for i in 0..v.len() {
            strs.push(c.str(v, i)?);
        }
        let (prefix_args, ti) = if lname == "extensionresourceid" {
            (0, 1)
        } else {
            // The resource type is the first argument containing '/'.
            let ti = strs.iter().position(|s| s.contains('/')).ok_or_else(|| {
                c.bad_value(
                    0,
                    "a resource type such as 'Microsoft.Network/virtualNetworks'",
                    "no argument with '/'".into(),
                )
            })?;
            (ti, ti)
        };
        let max_prefix = match lname {
            "resourceid" => 2,
            "subscriptionresourceid" => 1,
            _ => 0,
        };
        if lname != "extensionresourceid" && prefix_args > max_prefix {
            return Err(c.bad_value(
                ti,
                "the resource type at an earlier argument",
                strs[ti].to_string(),
            ));
        }
        let rtype = strs[ti];
        let names = &strs[ti + 1..];
        let segs: Vec<&str> = rtype.split('/').collect();
        if segs.len() < 2 || names.len() != segs.len() - 1 {
            return Err(EvalError::Arity {
                function: c.name.into(),
                expected: format!(
                    "{} resource name(s) for type '{rtype}'",
                    segs.len().saturating_sub(1)
                ),
                found: names.len(),
                column: c.call.start + 1,
            });
        }
        let mut tail = format!("providers/{}", segs[0]);
        for (seg, name) in segs[1..].iter().zip(names) {
            tail.push_str(&format!("/{seg}/{name}"));
        }
        let need = |o: &Option<String>, what: &str| -> Result<String, Value> {
            o.clone()
                .ok_or_else(|| unknown(c.call, &format!("the {what} was not provided")))
        };
        let id = match lname {
            "tenantresourceid" => format!("/{tail}"),
            "extensionresourceid" => format!("{}/{tail}", strs[0].trim_end_matches('/')),
            "subscriptionresourceid" => {
                let sub = if prefix_args == 1 {
                    strs[0].to_string()
                } else {
                    match need(&self.ctx.subscription_id, "subscription id") {
                        Ok(s) => s,
                        Err(u) => return Ok(u),
                    }
                };
                format!("/subscriptions/{sub}/{tail}")
            }
            _ => {
                let (sub, rg) = match prefix_args {
                    2 => (Ok(strs[0].to_string()), Ok(strs[1].to_string())),
                    1 => (
                        need(&self.ctx.subscription_id, "subscription id"),
                        Ok(strs[0].to_string()),
                    ),
                    _ if self.ctx.resource_group_name.is_none() && self.ctx.subscription_scope => {
                        // At subscription scope, resourceId names a subscription-level resource.
                        return match need(&self.ctx.subscription_id, "subscription id") {
                            Ok(sub) => k(Json::String(format!("/subscriptions/{sub}/{tail}"))),
                            Err(u) => Ok(u),
                        };
                    }
                    _ => (
                        need(&self.ctx.subscription_id, "subscription id"),
                        need(&self.ctx.resource_group_name, "resource group name"),
                    ),
                };
                let sub = match sub {
                    Ok(s) => s,
                    Err(u) => return Ok(u),
                };
                let rg = match rg {
                    Ok(s) => s,
                    Err(u) => return Ok(u),
                };
                format!("/subscriptions/{sub}/resourceGroups/{rg}/{tail}")
            }
        };
        k(Json::String(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context {
            subscription_id: Some("sub-1".into()),
            resource_group_name: Some("rg-1".into()),
            resource_group_location: Some("westeurope".into()),
            deployment_name: Some("dep".into()),
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

    fn ev(s: &str) -> Json {
        match eval_template_string(s, &ctx()).unwrap_or_else(|e| panic!("{s}: {e}")) {
            Value::Known(j) => j,
            Value::Unknown(u) => panic!("{s}: unknown {u:?}"),
        }
    }

    fn unk(s: &str, c: &Context) -> Unknown {
        match eval_template_string(s, c).unwrap() {
            Value::Unknown(u) => u,
            Value::Known(j) => panic!("{s}: known {j}"),
        }
    }

    fn err(s: &str) -> crate::Error {
        eval_template_string(s, &ctx()).unwrap_err()
    }

    #[test]
    fn string_functions_doc_examples() {
        // template-functions-string
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
        // template-expressions: a doubled single quote is one quote.
        assert_eq!(ev("[concat('''quoted''')]"), json!("'quoted'"));
        assert_eq!(ev("[[not an expression]"), json!("[not an expression]"));
    }

    #[test]
    fn array_and_object_functions_doc_examples() {
        // template-functions-array / -object
        assert_eq!(ev("[array(1)]"), json!([1]));
        assert_eq!(ev("[array('efgh')]"), json!(["efgh"]));
        assert_eq!(ev("[createArray(1, 2, 3)]"), json!([1, 2, 3]));
        assert_eq!(
            ev("[createObject('intProp', 1, 'stringProp', 'abc', 'boolProp', true, 'arrayProp', createArray('a', 'b', 'c'), 'objectProp', createObject('key1', 'value1'))]"),
            json!({"intProp": 1, "stringProp": "abc", "boolProp": true, "arrayProp": ["a","b","c"], "objectProp": {"key1": "value1"}})
        );
        assert_eq!(
            ev("[contains(createObject('one','a','two','b','three','c'), 'one')]"),
            json!(true)
        );
        assert_eq!(
            ev("[contains(createObject('one','a','two','b','three','c'), 'a')]"),
            json!(false)
        );
        assert_eq!(
            ev("[contains(createArray('one','two','three'), 'three')]"),
            json!(true)
        );
        assert_eq!(ev("[empty(createArray())]"), json!(true));
        assert_eq!(ev("[empty(createObject())]"), json!(true));
        assert_eq!(
            ev("[first(createArray('one','two','three'))]"),
            json!("one")
        );
        assert_eq!(
            ev("[last(createArray('one','two','three'))]"),
            json!("three")
        );
        assert_eq!(
            ev("[indexOf(createArray('one','two','three'), 'two')]"),
            json!(1)
        );
        assert_eq!(ev("[indexOf(createArray(1,2,3,1), 1)]"), json!(0));
        assert_eq!(ev("[lastIndexOf(createArray(1,2,3,1), 1)]"), json!(3));
        assert_eq!(ev("[length(createArray('one','two','three'))]"), json!(3));
        assert_eq!(
            ev("[length(createObject('propA','one','propB','two','propC','three','propD',createObject('propD-1','sub','propD-2','sub')))]"),
            json!(4)
        );
        assert_eq!(
            ev("[union(createObject('one','a','two','b','three','c1'), createObject('three','c2','four','d','five','e'))]"),
            json!({"one":"a","two":"b","three":"c2","four":"d","five":"e"})
        );
        assert_eq!(
            ev("[union(createArray('one','two','three'), createArray('three','four'))]"),
            json!(["one", "two", "three", "four"])
        );
        assert_eq!(
            ev("[intersection(createObject('one','a','two','b','three','c'), createObject('one','a','two','z','three','c'))]"),
            json!({"one":"a","three":"c"})
        );
        assert_eq!(
            ev("[intersection(createArray('one','two','three'), createArray('two','three'))]"),
            json!(["two", "three"])
        );
        assert_eq!(ev("[range(1, 3)]"), json!([1, 2, 3]));
        assert_eq!(
            ev("[take(createArray('one','two','three'), 2)]"),
            json!(["one", "two"])
        );
        assert_eq!(
            ev("[skip(createArray('one','two','three'), 2)]"),
            json!(["three"])
        );
        assert_eq!(ev("[min(createArray(0,3,2,5,4))]"), json!(0));
        assert_eq!(ev("[max(0,3,2,5,4)]"), json!(5));
        assert_eq!(ev("[json('{\"a\": \"b\"}').a]"), json!("b"));
        assert_eq!(ev("[json('null')]"), json!(null));
        assert_eq!(ev("[null()]"), json!(null));
        assert_eq!(
            ev("[tryGet(parameters('testObject'), 'valueA')]"),
            json!(10)
        );
        assert_eq!(
            ev("[tryGet(parameters('testObject'), 'missing')]"),
            json!(null)
        );
        assert_eq!(
            ev("[parameters('testObject').valueB]"),
            json!("Example Text")
        );
        assert_eq!(ev("[PARAMETERS('TESTOBJECT')['VALUEA']]"), json!(10));
        assert_eq!(ev("[variables('vnet').subnets[1].name]"), json!("b"));
    }

    #[test]
    fn numeric_comparison_logical_doc_examples() {
        assert_eq!(ev("[add(5, 3)]"), json!(8));
        assert_eq!(ev("[sub(7, 3)]"), json!(4));
        assert_eq!(ev("[mul(5, 3)]"), json!(15));
        assert_eq!(ev("[div(8, 3)]"), json!(2));
        assert_eq!(ev("[mod(7, 3)]"), json!(1));
        assert_eq!(ev("[int('4')]"), json!(4));
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

    #[test]
    fn deployment_facts_and_resource_ids() {
        assert_eq!(ev("[resourceGroup().location]"), json!("westeurope"));
        assert_eq!(
            ev("[resourceGroup().id]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1")
        );
        assert_eq!(ev("[subscription().subscriptionId]"), json!("sub-1"));
        assert_eq!(ev("[deployment().name]"), json!("dep"));
        // template-functions-resource
        assert_eq!(
            ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'myvnet', 'mysubnet')]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Network/virtualNetworks/myvnet/subnets/mysubnet")
        );
        assert_eq!(
            ev("[resourceId('otherResourceGroup', 'Microsoft.Storage/storageAccounts', 'examplestorage')]"),
            json!("/subscriptions/sub-1/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage")
        );
        assert_eq!(
            ev("[resourceId('s2', 'otherResourceGroup', 'Microsoft.Storage/storageAccounts', 'examplestorage')]"),
            json!("/subscriptions/s2/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage")
        );
        assert_eq!(
            ev("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]"),
            json!("/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
        );
        assert_eq!(
            ev("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]"),
            json!("/providers/Microsoft.Authorization/policyDefinitions/p1")
        );
        assert_eq!(
            ev("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'mylock')]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Authorization/locks/mylock")
        );
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
        let u = unk("[guid('a')]", &c);
        assert_eq!(u.reason, "not implemented yet");
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

    proptest! {
        #[test]
        fn evaluation_never_panics(
            f in prop::sample::select(vec!["concat", "format", "substring", "take", "skip", "range",
                "split", "replace", "indexOf", "union", "intersection", "min", "div", "mod",
                "resourceId", "createObject", "tryGet", "json", "int", "first", "length"]),
            args in prop::collection::vec(prop_oneof![
                "'[a-z{}0-9/,:-]{0,6}'".prop_map(|s| s),
                (-3i64..12).prop_map(|i| i.to_string()),
                Just("createArray(1, 'a')".to_string()),
                Just("createObject('a', 1)".to_string()),
                Just("null()".to_string()),
            ], 0..4),
        ) {
            let src = format!("[{f}({})]", args.join(", "));
            let _ = eval_template_string(&src, &Context::default());
        }
    }
}
