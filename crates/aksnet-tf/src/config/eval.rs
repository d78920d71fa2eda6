//! The expression evaluator: HCL expressions (hcl-edit's syntax tree) to [`Value`]s, unknowns
//! propagating through every operator, template and function.

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;

use aksnet_arm::Value;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Strip, Template};
use hcl_edit::{Decorated, Span};
use serde_json::{Map, Value as Json};

use super::functions;
use super::value::{
    charge, embed, equal, first_unknown, num, to_bool, to_number, to_str, type_name, unknown,
    weight, EvalError, MAX_LIST, MAX_STRING, R, RESOURCE_KEY,
};

/// The deepest evaluation allowed (expressions and the references they follow).
const MAX_DEPTH: u32 = 2000;

/// What names outside an expression mean: variables, locals, resources, modules, paths.
pub(crate) trait Scope {
    /// The value of the reference starting with `root`, followed by the attribute names
    /// `attrs` (as written, before any index); returns the value and how many of `attrs` it
    /// used.
    fn resolve(&self, root: &str, attrs: &[&str]) -> R<(Rc<Value>, usize)>;
    /// Directories for the filesystem functions.
    fn dirs(&self) -> functions::Dirs;
    /// The evaluation depth counter shared by everything this scope evaluates.
    fn depth(&self) -> &Cell<u32>;
    /// The module instance being evaluated (0 outside a configuration).
    fn module_id(&self) -> usize {
        0
    }
}

/// A scope knowing no names: expressions evaluated on their own (tfvars, tests).
pub(crate) struct EmptyScope {
    /// The evaluation depth.
    pub depth: Cell<u32>,
    /// The directory relative paths are read from.
    pub dir: PathBuf,
    /// Whether this evaluates a `templatefile` template.
    pub in_template: bool,
}

impl Scope for EmptyScope {
    fn resolve(&self, root: &str, _attrs: &[&str]) -> R<(Rc<Value>, usize)> {
        Err(EvalError::new(format!(
            "variables are not allowed here: \"{root}\""
        )))
    }
    fn dirs(&self) -> functions::Dirs {
        functions::Dirs {
            module: self.dir.clone(),
            in_template: self.in_template,
        }
    }
    fn depth(&self) -> &Cell<u32> {
        &self.depth
    }
}

/// An evaluation environment: the scope and the names bound by enclosing `for` expressions,
/// `each`, `count` and `dynamic` iterators.
pub(crate) struct Env<'a> {
    /// Names from outside.
    pub scope: &'a dyn Scope,
    /// Names bound here, innermost last.
    pub bindings: Vec<(String, Value)>,
    /// The enclosing environment.
    pub parent: Option<&'a Env<'a>>,
}

impl<'a> Env<'a> {
    /// An environment with no bindings.
    pub fn new(scope: &'a dyn Scope) -> Self {
        Env {
            scope,
            bindings: Vec::new(),
            parent: None,
        }
    }

    /// A child environment binding `names`.
    pub fn child(&'a self, names: Vec<(String, Value)>) -> Env<'a> {
        Env {
            scope: self.scope,
            bindings: names,
            parent: Some(self),
        }
    }

    fn binding(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .or_else(|| self.parent.and_then(|p| p.binding(name)))
    }

    /// Evaluates `expr`.
    pub fn eval(&self, expr: &Expression) -> R<Value> {
        let depth = self.scope.depth();
        if depth.get() >= MAX_DEPTH {
            return Err(EvalError::new(format!(
                "expression nested too deeply (more than {MAX_DEPTH} levels, counting references)"
            ))
            .at(expr.span()));
        }
        depth.set(depth.get() + 1);
        let r = self.eval_inner(expr).map_err(|e| e.at(expr.span()));
        depth.set(depth.get() - 1);
        r
    }

    fn eval_inner(&self, expr: &Expression) -> R<Value> {
        match expr {
            Expression::Null(_) => Ok(Value::Known(Json::Null)),
            Expression::Bool(b) => Ok(Value::Known(Json::Bool(*b.value()))),
            Expression::Number(n) => {
                let n = n.value();
                if let Some(i) = n.as_i64() {
                    Ok(Value::Known(Json::from(i)))
                } else {
                    Ok(Value::Known(num(n.as_f64().unwrap_or(0.0))))
                }
            }
            Expression::String(s) => Ok(Value::Known(Json::String(s.value().clone()))),
            Expression::Array(a) => {
                charge(a.len() as u64)?;
                let mut out = Vec::with_capacity(a.len());
                for e in a.iter() {
                    let v = embed(self.eval(e)?);
                    charge(weight(&v))?;
                    out.push(v);
                }
                Ok(Value::Known(Json::Array(out)))
            }
            Expression::Object(o) => {
                charge(o.len() as u64)?;
                let mut out = Map::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().to_string(),
                        ObjectKey::Expression(e) => {
                            // A bare name as a key is the name, as in `{ a = 1 }`.
                            if let Expression::Variable(v) = e {
                                v.value().to_string()
                            } else {
                                match self.eval(e)? {
                                    Value::Unknown(u) => return Ok(Value::Unknown(u)),
                                    Value::Known(j) => to_str(&j).map_err(|e| {
                                        EvalError::new(format!("invalid object key: {}", e.message))
                                    })?,
                                }
                            }
                        }
                    };
                    out.insert(key, embed(self.eval(v.expr())?));
                }
                Ok(Value::Known(Json::Object(out)))
            }
            Expression::StringTemplate(t) => self.render_template(t),
            Expression::HeredocTemplate(h) => {
                self.render_with(&h.template, h.indent().unwrap_or(0))
            }
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => self.traversal(expr, v, &[]),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                match cond {
                    Value::Known(j) => {
                        if to_bool(&j).map_err(|e| e.at(c.cond_expr.span()))? {
                            self.eval(&c.true_expr)
                        } else {
                            self.eval(&c.false_expr)
                        }
                    }
                    Value::Unknown(u) => {
                        let a = self.eval(&c.true_expr)?;
                        let b = self.eval(&c.false_expr)?;
                        match (&a, &b) {
                            (Value::Known(x), Value::Known(y))
                                if equal(x, y) && first_unknown(x).is_none() =>
                            {
                                Ok(a)
                            }
                            _ => Ok(Value::Unknown(u)),
                        }
                    }
                }
            }
            Expression::FuncCall(f) => self.call(f),
            Expression::Traversal(t) => {
                if let Expression::Variable(v) = &t.expr {
                    self.traversal(expr, v, &t.operators)
                } else {
                    let base = self.eval(&t.expr)?;
                    apply_ops(self, &base, &t.operators)
                }
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr)?;
                let j = match v {
                    Value::Unknown(u) => return Ok(Value::Unknown(u)),
                    Value::Known(j) => j,
                };
                match u.operator.value() {
                    UnaryOperator::Neg => Ok(Value::Known(num(-to_number(&j)?))),
                    UnaryOperator::Not => Ok(Value::Known(Json::Bool(!to_bool(&j)?))),
                }
            }
            Expression::BinaryOp(b) => self.binary(&b.lhs_expr, *b.operator.value(), &b.rhs_expr),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    fn traversal(
        &self,
        whole: &Expression,
        root: &Decorated<hcl_edit::Ident>,
        ops: &[Decorated<TraversalOperator>],
    ) -> R<Value> {
        let name = root.value().as_str();
        if let Some(v) = self.binding(name) {
            return apply_ops(self, v, ops);
        }
        let attrs: Vec<&str> = ops
            .iter()
            .map_while(|o| match o.value() {
                TraversalOperator::GetAttr(a) => Some(a.value().as_str()),
                _ => None,
            })
            .take(3)
            .collect();
        let (v, used) = self
            .scope
            .resolve(name, &attrs)
            .map_err(|e| e.at(whole.span()))?;
        apply_ops(self, &v, &ops[used.min(ops.len())..])
    }

    fn binary(&self, l: &Expression, op: BinaryOperator, r: &Expression) -> R<Value> {
        let lv = self.eval(l)?;
        if matches!(op, BinaryOperator::And | BinaryOperator::Or) {
            let want = matches!(op, BinaryOperator::Or);
            if let Value::Known(j) = &lv {
                if to_bool(j).map_err(|e| e.at(l.span()))? == want {
                    return Ok(Value::Known(Json::Bool(want)));
                }
            }
            let rv = self.eval(r)?;
            return match (lv, rv) {
                (_, Value::Known(j)) if to_bool(&j).map_err(|e| e.at(r.span()))? == want => {
                    Ok(Value::Known(Json::Bool(want)))
                }
                (Value::Unknown(u), _) | (_, Value::Unknown(u)) => Ok(Value::Unknown(u)),
                (_, Value::Known(_)) => Ok(Value::Known(Json::Bool(!want))),
            };
        }
        let rv = self.eval(r)?;
        let (a, b) = match (lv, rv) {
            (Value::Unknown(u), _) | (_, Value::Unknown(u)) => return Ok(Value::Unknown(u)),
            (Value::Known(a), Value::Known(b)) => (a, b),
        };
        binary_known(op, &a, &b)
    }

    /// Renders a template to a string (or its value, when it is one interpolation).
    pub fn render_template(&self, t: &Template) -> R<Value> {
        self.render_with(t, 0)
    }

    /// Renders a template whose nested directive bodies still carry `indent` columns of a
    /// `<<-` heredoc's indentation (the parser strips it from the top level only).
    fn render_with(&self, t: &Template, indent: usize) -> R<Value> {
        // A template that is one interpolation is its value, unconverted.
        let elements: Vec<&Element> = t.iter().collect();
        if let [Element::Interpolation(i)] = elements.as_slice() {
            return self.eval(&i.expr);
        }
        let mut out = String::new();
        let mut strip_next = false;
        match self.render(t, &mut out, &mut strip_next, 0, indent)? {
            Some(u) => Ok(Value::Unknown(u)),
            None => Ok(Value::Known(Json::String(out))),
        }
    }

    /// Renders `t` onto `out`; returns the first unknown met (rendering stops there).
    fn render(
        &self,
        t: &Template,
        out: &mut String,
        strip_next: &mut bool,
        dedent: usize,
        nested: usize,
    ) -> R<Option<aksnet_arm::Unknown>> {
        fn strips(s: &Strip) -> (bool, bool) {
            match s {
                Strip::None => (false, false),
                Strip::Start => (true, false),
                Strip::End => (false, true),
                Strip::Both => (true, true),
            }
        }
        fn strip_end(out: &mut String) {
            let n = out.trim_end().len();
            out.truncate(n);
        }
        for e in t.iter() {
            match e {
                Element::Literal(s) => {
                    let s = s.value();
                    let dedented;
                    let s = if dedent > 0 {
                        dedented = dedent_lines(s, dedent);
                        &dedented
                    } else {
                        s
                    };
                    if *strip_next {
                        out.push_str(s.trim_start());
                    } else {
                        out.push_str(s);
                    }
                    *strip_next = false;
                }
                Element::Interpolation(i) => {
                    let (a, b) = strips(&i.strip);
                    if a {
                        strip_end(out);
                    }
                    match self.eval(&i.expr)? {
                        Value::Unknown(u) => return Ok(Some(u)),
                        Value::Known(j) => {
                            if let Some(u) = first_unknown(&j) {
                                return Ok(Some(u));
                            }
                            let s = to_str(&j).map_err(|e| {
                                EvalError::new(format!(
                                    "invalid template interpolation value: {}",
                                    e.message
                                ))
                                .at(i.expr.span())
                            })?;
                            out.push_str(&s);
                        }
                    }
                    *strip_next = b;
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        let (a, b) = strips(&ifd.if_expr.strip);
                        if a {
                            strip_end(out);
                        }
                        *strip_next = b;
                        let c = match self.eval(&ifd.if_expr.cond_expr)? {
                            Value::Unknown(u) => return Ok(Some(u)),
                            Value::Known(j) => to_bool(&j)?,
                        };
                        if c {
                            if let Some(u) =
                                self.render(&ifd.if_expr.template, out, strip_next, nested, nested)?
                            {
                                return Ok(Some(u));
                            }
                        }
                        if let Some(el) = &ifd.else_expr {
                            let (a, b) = strips(&el.strip);
                            if a && c {
                                strip_end(out);
                            }
                            if !c {
                                *strip_next = b;
                                if let Some(u) =
                                    self.render(&el.template, out, strip_next, nested, nested)?
                                {
                                    return Ok(Some(u));
                                }
                            }
                        }
                        let (a, b) = strips(&ifd.endif_expr.strip);
                        if a {
                            strip_end(out);
                        }
                        *strip_next = b;
                    }
                    Directive::For(fd) => {
                        let f = &fd.for_expr;
                        let (a, b) = strips(&f.strip);
                        if a {
                            strip_end(out);
                        }
                        let coll = match self.eval(&f.collection_expr)? {
                            Value::Unknown(u) => return Ok(Some(u)),
                            Value::Known(j) => j,
                        };
                        let (ea, eb) = strips(&fd.endfor_expr.strip);
                        for (k, v) in iterate_as(&coll, is_set_call(&f.collection_expr))? {
                            charge(1)?;
                            *strip_next = b;
                            let mut names = vec![(f.value_var.value().to_string(), v)];
                            if let Some(kv) = &f.key_var {
                                names.push((kv.value().to_string(), Value::Known(k)));
                            }
                            let env = self.child(names);
                            if let Some(u) =
                                env.render(&f.template, out, strip_next, nested, nested)?
                            {
                                return Ok(Some(u));
                            }
                            if ea {
                                strip_end(out);
                            }
                            if out.len() > MAX_STRING {
                                return Err(EvalError::new("template result too long"));
                            }
                        }
                        *strip_next = eb;
                    }
                },
            }
            if out.len() > MAX_STRING {
                return Err(EvalError::new("template result too long"));
            }
        }
        Ok(None)
    }

    fn for_expr(&self, f: &ForExpr) -> R<Value> {
        let coll = match self.eval(&f.intro.collection_expr)? {
            Value::Unknown(u) => return Ok(Value::Unknown(u)),
            Value::Known(j) => j,
        };
        let items = iterate_as(&coll, is_set_call(&f.intro.collection_expr))?;
        let mut list = Vec::new();
        let mut obj: Map<String, Json> = Map::new();
        for (k, v) in items {
            charge(1)?;
            let mut names = vec![(f.intro.value_var.value().to_string(), v)];
            if let Some(kv) = &f.intro.key_var {
                names.push((kv.value().to_string(), Value::Known(k)));
            }
            let env = self.child(names);
            if let Some(c) = &f.cond {
                match env.eval(&c.expr)? {
                    Value::Unknown(u) => return Ok(Value::Unknown(u)),
                    Value::Known(j) => {
                        if !to_bool(&j).map_err(|e| e.at(c.expr.span()))? {
                            continue;
                        }
                    }
                }
            }
            let val = embed(env.eval(&f.value_expr)?);
            charge(weight(&val))?;
            match &f.key_expr {
                None => list.push(val),
                Some(ke) => {
                    let key = match env.eval(ke)? {
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        Value::Known(j) => to_str(&j).map_err(|e| e.at(ke.span()))?,
                    };
                    if f.grouping {
                        match obj.entry(key).or_insert_with(|| Json::Array(vec![])) {
                            Json::Array(a) => a.push(val),
                            _ => return Err(EvalError::new("internal: grouping")),
                        }
                    } else if obj.contains_key(&key) {
                        return Err(EvalError::new(format!(
                            "duplicate object key \"{key}\" in for expression (use `...` to group)"
                        ))
                        .at(ke.span()));
                    } else {
                        obj.insert(key, val);
                    }
                }
            }
            if list.len() > MAX_LIST || obj.len() > MAX_LIST {
                return Err(EvalError::new("for expression result too large"));
            }
        }
        if f.key_expr.is_some() {
            Ok(Value::Known(Json::Object(obj)))
        } else {
            Ok(Value::Known(Json::Array(list)))
        }
    }

    fn call(&self, f: &hcl_edit::expr::FuncCall) -> R<Value> {
        let name = f.name.name.value().as_str();
        if f.name.is_namespaced() {
            let ns: Vec<&str> = f
                .name
                .namespace
                .iter()
                .map(|n| n.value().as_str())
                .collect();
            let full = format!("{}::{}", ns.join("::"), name);
            if ns.first() == Some(&"provider") {
                return Ok(unknown(
                    format!("{full}(...)"),
                    "provider-defined functions are not evaluated",
                ));
            }
            if ns == ["core"] {
                return self.call_named(name, f);
            }
            return Err(EvalError::new(format!(
                "call to unknown function \"{full}\""
            )));
        }
        self.call_named(name, f)
    }

    fn call_named(&self, name: &str, f: &hcl_edit::expr::FuncCall) -> R<Value> {
        match name {
            "try" => {
                let mut last = None;
                for a in f.args.iter() {
                    match self.eval(a) {
                        Ok(v) => return Ok(v),
                        Err(e) => last = Some(e),
                    }
                }
                return Err(EvalError::new(format!(
                    "no expression given to try succeeded{}",
                    last.map(|e| format!(" (last error: {})", e.message))
                        .unwrap_or_default()
                )));
            }
            "can" => {
                let Some(a) = f.args.get(0).filter(|_| f.args.len() == 1) else {
                    return Err(EvalError::new("can expects 1 argument"));
                };
                return match self.eval(a) {
                    Ok(Value::Unknown(u)) => Ok(Value::Unknown(u)),
                    Ok(Value::Known(_)) => Ok(Value::Known(Json::Bool(true))),
                    Err(_) => Ok(Value::Known(Json::Bool(false))),
                };
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        let n = f.args.len();
        for (i, a) in f.args.iter().enumerate() {
            let v = self.eval(a)?;
            if i + 1 == n && f.args.expand_final() {
                match v {
                    Value::Unknown(u) => return Ok(Value::Unknown(u)),
                    Value::Known(Json::Array(items)) => {
                        args.extend(items.into_iter().map(Value::from_json))
                    }
                    Value::Known(j) => {
                        return Err(EvalError::new(format!(
                            "cannot expand {} with `...`: a list is required",
                            type_name(&j)
                        ))
                        .at(a.span()))
                    }
                }
            } else {
                args.push(v);
            }
        }
        let v = functions::call(name, args, &self.scope.dirs())
            .map_err(|e| EvalError::new(format!("{name}(): {}", e.message)).at(e.span))?;
        if let Value::Known(j) = &v {
            charge(match j {
                Json::Array(a) => a.len() as u64 + 1,
                Json::Object(m) => m.len() as u64 + 1,
                Json::String(s) => s.len() as u64 / 64 + 1,
                _ => 1,
            })?;
        }
        Ok(v)
    }
}

/// `s` with up to `n` leading spaces removed from every line after the first (the first
/// continues a line begun before it).
fn dedent_lines(s: &str, n: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            let spaces = line.chars().take(n).take_while(|c| *c == ' ').count();
            out.push_str(&line[spaces..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Whether an expression is a call of a function returning a set (`toset`, `setunion`, ...):
/// iterating a set, Terraform gives each element as its own key.
pub(crate) fn is_set_call(e: &Expression) -> bool {
    match e {
        Expression::Parenthesis(p) => is_set_call(p.inner()),
        Expression::FuncCall(f) => matches!(
            f.name.name.value().as_str(),
            "toset" | "setunion" | "setintersection" | "setsubtract" | "setproduct"
        ),
        _ => false,
    }
}

/// [`iterate`], with a set's elements as their own keys when `set`.
pub(crate) fn iterate_as(coll: &Json, set: bool) -> R<Vec<(Json, Value)>> {
    let items = iterate(coll)?;
    if set && coll.is_array() {
        return Ok(items
            .into_iter()
            .map(|(_, v)| (v.clone().into_json(), v))
            .collect());
    }
    Ok(items)
}

/// The elements of a collection as (key, value) pairs: index and element for lists, key and
/// value for maps (sorted by key).
pub(crate) fn iterate(coll: &Json) -> R<Vec<(Json, Value)>> {
    match coll {
        Json::Array(a) => Ok(a
            .iter()
            .enumerate()
            .map(|(i, v)| (Json::from(i), Value::from_json(v.clone())))
            .collect()),
        Json::Object(m) => {
            if let Some(u) = aksnet_arm::Unknown::from_json(coll) {
                return Err(EvalError::new(format!(
                    "cannot iterate over an unknown value ({})",
                    u.expression
                )));
            }
            Ok(m.iter()
                .filter(|(k, _)| k.as_str() != RESOURCE_KEY)
                .map(|(k, v)| (Json::String(k.clone()), Value::from_json(v.clone())))
                .collect())
        }
        Json::Null => Err(EvalError::new("cannot iterate over a null value")),
        other => Err(EvalError::new(format!(
            "cannot iterate over a {}",
            type_name(other)
        ))),
    }
}

/// Applies traversal operators (attributes, indexes, splats) to a value, copying only what
/// the traversal reaches (a reference into a large map or list costs the element, not the
/// collection).
pub(crate) fn apply_ops(env: &Env, v: &Value, ops: &[Decorated<TraversalOperator>]) -> R<Value> {
    match v {
        Value::Unknown(u) => Ok(Value::Unknown(u.clone())),
        Value::Known(j) => apply_json(env, j, ops),
    }
}

fn apply_json(env: &Env, j: &Json, ops: &[Decorated<TraversalOperator>]) -> R<Value> {
    let mut cur: &Json = j;
    // Inside a resource instance, the path from its address: an attribute the arguments do
    // not give, however deep, is one the provider sets at apply.
    let mut path: Option<String> = None;
    // The resource's id (from the provider), for what Azure sets on it at apply.
    let mut owner: Option<String> = None;
    let mut i = 0;
    while i < ops.len() {
        if let Some(u) = aksnet_arm::Unknown::from_json(cur) {
            return Ok(Value::Unknown(u));
        }
        if let Some(addr) = cur.get(RESOURCE_KEY).and_then(Json::as_str) {
            path = Some(addr.to_string());
            owner = cur.get("id").and_then(Json::as_str).map(String::from);
        }
        let op = &ops[i];
        match op.value() {
            TraversalOperator::FullSplat(_) => return splat(env, cur, &ops[i + 1..]),
            TraversalOperator::AttrSplat(_) => {
                let n = ops[i + 1..]
                    .iter()
                    .take_while(|o| {
                        matches!(
                            o.value(),
                            TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_)
                        )
                    })
                    .count();
                let r = splat(env, cur, &ops[i + 1..i + 1 + n])?;
                return apply_ops(env, &r, &ops[i + 1 + n..]);
            }
            TraversalOperator::GetAttr(a) => {
                let name = a.value().as_str();
                match attr_ref(cur, name) {
                    Ok(x) => {
                        cur = x;
                        if let Some(p) = &mut path {
                            p.push('.');
                            p.push_str(name);
                        }
                    }
                    Err(e) => match (&path, cur) {
                        (Some(p), Json::Object(_)) => {
                            // The whole traversal, not only up to the attribute Azure sets:
                            // `x.kubelet_identity[0].object_id` says which value it is.
                            return Ok(Value::Unknown(aksnet_arm::Unknown {
                                expression: format!("{p}.{name}{}", rest_text(env, &ops[i + 1..])),
                                reason: "known only after apply".into(),
                                of: owner.clone(),
                            }));
                        }
                        _ => return Err(e.at(op.span())),
                    },
                }
            }
            TraversalOperator::LegacyIndex(n) => {
                let k = Json::from(*n.value());
                cur = index_ref(cur, &k).map_err(|e| e.at(op.span()))?;
                if let Some(p) = &mut path {
                    p.push_str(&format!("[{k}]"));
                }
            }
            TraversalOperator::Index(e) => match env.eval(e)? {
                Value::Unknown(u) => return Ok(Value::Unknown(u)),
                Value::Known(k) => {
                    cur = index_ref(cur, &k).map_err(|e| e.at(op.span()))?;
                    if let Some(p) = &mut path {
                        p.push_str(&format!("[{k}]"));
                    }
                }
            },
        }
        i += 1;
    }
    Ok(Value::from_json(cur.clone()))
}

/// Traversal operators as Terraform writes them (`[0].object_id`); an index known only at
/// apply is `[?]`.
fn rest_text(env: &Env, ops: &[Decorated<TraversalOperator>]) -> String {
    let mut out = String::new();
    for op in ops {
        match op.value() {
            TraversalOperator::GetAttr(a) => {
                out.push('.');
                out.push_str(a.value().as_str());
            }
            TraversalOperator::LegacyIndex(n) => out.push_str(&format!("[{}]", n.value())),
            TraversalOperator::Index(e) => match env.eval(e) {
                Ok(Value::Known(k)) => out.push_str(&format!("[{k}]")),
                _ => out.push_str("[?]"),
            },
            TraversalOperator::AttrSplat(_) => out.push_str(".*"),
            TraversalOperator::FullSplat(_) => out.push_str("[*]"),
        }
    }
    out
}

fn splat(env: &Env, v: &Json, rest: &[Decorated<TraversalOperator>]) -> R<Value> {
    match v {
        Json::Null => Ok(Value::Known(Json::Array(vec![]))),
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for it in items {
                out.push(embed(apply_json(env, it, rest)?));
            }
            Ok(Value::Known(Json::Array(out)))
        }
        other => {
            if let Some(u) = aksnet_arm::Unknown::from_json(other) {
                return Ok(Value::Unknown(u));
            }
            Ok(Value::Known(Json::Array(vec![embed(apply_json(
                env, other, rest,
            )?)])))
        }
    }
}

fn attr_ref<'a>(j: &'a Json, name: &str) -> R<&'a Json> {
    match j {
        Json::Object(m) => m.get(name).ok_or_else(|| {
            EvalError::new(format!(
                "unsupported attribute: this object does not have an attribute named \"{name}\""
            ))
        }),
        Json::Null => Err(EvalError::new(format!(
            "attempt to get attribute \"{name}\" from a null value"
        ))),
        other => Err(EvalError::new(format!(
            "unsupported attribute \"{name}\": a {} has no attributes",
            type_name(other)
        ))),
    }
}

fn index_ref<'a>(j: &'a Json, k: &Json) -> R<&'a Json> {
    match j {
        Json::Array(a) => {
            let i = to_number(k).map_err(|_| EvalError::new("a list index must be a number"))?;
            if i < 0.0 || i.fract() != 0.0 || i as usize >= a.len() {
                return Err(EvalError::new(format!(
                    "invalid index: the index {i} is out of range for a list of {} elements",
                    a.len()
                )));
            }
            Ok(&a[i as usize])
        }
        Json::Object(m) => {
            let key = to_str(k).map_err(|_| EvalError::new("a map key must be a string"))?;
            m.get(&key).ok_or_else(|| {
                EvalError::new(format!(
                    "invalid index: the given key \"{key}\" does not exist"
                ))
            })
        }
        Json::Null => Err(EvalError::new("attempt to index a null value")),
        other => Err(EvalError::new(format!(
            "a {} cannot be indexed",
            type_name(other)
        ))),
    }
}

/// A binary operator over known operands.
pub(crate) fn binary_known(op: BinaryOperator, a: &Json, b: &Json) -> R<Value> {
    use BinaryOperator as B;
    let k = |j: Json| Ok(Value::Known(j));
    if matches!(op, B::Eq | B::NotEq) {
        if let Some(u) = first_unknown(a).or_else(|| first_unknown(b)) {
            return Ok(Value::Unknown(u));
        }
        let e = equal(a, b);
        return k(Json::Bool(if matches!(op, B::Eq) { e } else { !e }));
    }
    if matches!(op, B::And | B::Or) {
        let (x, y) = (to_bool(a)?, to_bool(b)?);
        return k(Json::Bool(if matches!(op, B::And) {
            x && y
        } else {
            x || y
        }));
    }
    let (x, y) = (to_number(a)?, to_number(b)?);
    match op {
        B::Plus => k(num(x + y)),
        B::Minus => k(num(x - y)),
        B::Mul => k(num(x * y)),
        B::Div => {
            if y == 0.0 {
                Err(EvalError::new("division by zero"))
            } else {
                k(num(x / y))
            }
        }
        B::Mod => {
            if y == 0.0 {
                Err(EvalError::new("division by zero"))
            } else {
                k(num(x % y))
            }
        }
        B::Less => k(Json::Bool(x < y)),
        B::LessEq => k(Json::Bool(x <= y)),
        B::Greater => k(Json::Bool(x > y)),
        B::GreaterEq => k(Json::Bool(x >= y)),
        _ => Err(EvalError::new("unsupported operator")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn ev(src: &str) -> R<Value> {
        let expr = hcl_edit::parser::parse_expr(src).map_err(|e| EvalError::new(e.to_string()))?;
        let scope = EmptyScope {
            depth: Cell::new(0),
            dir: PathBuf::from("."),
            in_template: false,
        };
        Env::new(&scope).eval(&expr)
    }

    fn k(src: &str) -> Json {
        match ev(src) {
            Ok(Value::Known(j)) => j,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn operators() {
        assert_eq!(k("1 + 2 * 3"), json!(7));
        assert_eq!(k("(1 + 2) * 3"), json!(9));
        assert_eq!(k("7 % 3"), json!(1));
        assert_eq!(k("5 / 2"), json!(2.5));
        assert_eq!(k("-3 + 1"), json!(-2));
        assert_eq!(k("\"5\" + 1"), json!(6));
        assert_eq!(k("1 == 1.0"), json!(true));
        assert_eq!(k("1 == \"1\""), json!(false));
        assert_eq!(k("[1, 2] == [1, 2]"), json!(true));
        assert_eq!(k("2 >= 2 && 1 < 2"), json!(true));
        assert_eq!(k("!true || false"), json!(false));
        assert_eq!(k("true ? \"a\" : \"b\""), json!("a"));
        assert!(ev("1 / 0").is_err());
    }

    #[test]
    fn templates_and_for() {
        assert_eq!(k("\"a-${1 + 1}-b\""), json!("a-2-b"));
        assert_eq!(k("\"${true}\""), json!(true));
        assert_eq!(k("\"%{if true}yes%{else}no%{endif}\""), json!("yes"));
        assert_eq!(
            k("\"%{for x in [1, 2, 3]}${x},%{endfor}\""),
            json!("1,2,3,")
        );
        assert_eq!(
            k("\"%{ for x in [1, 2] ~} ${x} %{~ endfor }\""),
            json!("12")
        );
        assert_eq!(k("[for x in [1, 2, 3] : x * 2 if x > 1]"), json!([4, 6]));
        assert_eq!(k("[for k, v in [\"a\", \"b\"] : k]"), json!([0, 1]));
        assert_eq!(
            k("[for k, v in toset([\"b\", \"a\"]) : k]"),
            json!(["a", "b"])
        );
        assert_eq!(
            k("{for k, v in {a = 1, b = 2} : v => k}"),
            json!({"1": "a", "2": "b"})
        );
        assert_eq!(
            k("{for s in [\"ab\", \"ac\", \"bd\"] : substr(s, 0, 1) => s...}"),
            json!({"a": ["ab", "ac"], "b": ["bd"]})
        );
        assert!(ev("{for s in [\"ab\", \"ac\"] : substr(s, 0, 1) => s}").is_err());
        assert_eq!(k("<<EOT\nhello ${\"x\"}\nEOT"), json!("hello x\n"));
        assert_eq!(k("<<-EOT\n    a\n      b\n    EOT"), json!("a\n  b\n"));
        assert_eq!(
            k("<<-EOT\n    %{ for s in [\"a\", \"b\"] ~}\n    ${s}=1\n    %{ endfor ~}\n  EOT"),
            json!("a=1\nb=1\n")
        );
    }

    #[test]
    fn splats_and_indexes() {
        assert_eq!(k("[{a = 1}, {a = 2}][*].a"), json!([1, 2]));
        assert_eq!(k("[{a = 1}, {a = 2}].*.a"), json!([1, 2]));
        assert_eq!(k("[[1, 2], [3]][1][0]"), json!(3));
        assert_eq!(k("{a = {b = 1}}.a.b"), json!(1));
        assert_eq!(k("{a = {b = 1}}[\"a\"][\"b\"]"), json!(1));
        assert_eq!(k("[1, 2].0"), json!(1));
        assert!(ev("[1][3]").is_err());
        assert_eq!(k("try([1][3], \"fallback\")"), json!("fallback"));
        assert_eq!(k("can([1][3])"), json!(false));
        assert_eq!(k("can([1][0])"), json!(true));
    }

    #[test]
    fn unknowns_propagate() {
        let u = aksnet_arm::Unknown {
            expression: "x".into(),
            reason: "r".into(),
            of: None,
        };
        let marker = u.to_json().to_string();
        let ku = |src: String| match ev(&src) {
            Ok(Value::Unknown(got)) => assert_eq!(got, u, "{src}"),
            other => panic!("{src}: {other:?}"),
        };
        // A marker written as JSON inside an expression is read back as the unknown.
        let x = format!("jsondecode({:?})", marker);
        ku(format!("{x} + 1"));
        ku(format!("\"a${{{x}}}b\""));
        ku(format!("{x}.attr"));
        ku(format!("{x}[0]"));
        ku(format!("{x} ? 1 : 2"));
        ku(format!("upper({x})"));
        ku(format!("try({x}, 1)"));
        ku(format!("[for v in {x} : v]"));
        assert_eq!(k(&format!("{x} ? 1 : 1")), json!(1));
        assert_eq!(k(&format!("false && {x}")), json!(false));
        assert_eq!(k(&format!("true || {x}")), json!(true));
        assert_eq!(k(&format!("{x} && false")), json!(false));
        ku(format!("{x} && true"));
        assert_eq!(k(&format!("length([{x}, 2])")), json!(2));
    }
}
