//! Lambda functions (`filter`, `map`, `reduce`, `sort`, `toObject`, `groupBy`, `mapValues`,
//! `lambdaVariables`): Microsoft Learn template-functions-lambda.
//!
//! `lambda('x', ['y', ...], body)` is not a value: it is written directly as an argument of
//! these functions, which evaluate `body` with the variables bound (read with
//! `lambdaVariables('x')`). An unknown input gives an unknown output; so does a body that is
//! unknown for any element.

use serde_json::{json, Map, Value as Json};

use super::{k, Call, Ev, Fun, LazyFun};
use crate::expr::{Expr, ExprKind};
use crate::value::{EvalError, Value};

/// The most lambda bodies one evaluation may run (nested `map`s over `range`s must not run for
/// ever).
const MAX_LAMBDA_CALLS: usize = 1_000_000;

/// The lambda function that evaluates its own arguments.
pub(super) fn lazy(lname: &str) -> Option<LazyFun> {
    Some(match lname {
        "filter" => filter,
        "map" => map,
        "reduce" => reduce,
        "sort" => sort,
        "toobject" => to_object,
        "groupby" => group_by,
        "mapvalues" => map_values,
        "lambda" => bare_lambda,
        _ => return None,
    })
}

/// `lambdaVariables`, the only lambda function whose arguments are ordinary values.
pub(super) fn function(lname: &str) -> Option<Fun> {
    match lname {
        "lambdavariables" => Some(lambda_variables),
        _ => None,
    }
}

/// Why applying lambdas stopped early: an error, or an unknown the result depends on.
enum Stop {
    Error(EvalError),
    Unknown(Value),
}

impl From<EvalError> for Stop {
    fn from(e: EvalError) -> Self {
        Stop::Error(e)
    }
}

/// The result of a lambda function, from the result of its work.
fn finish(r: Result<Json, Stop>) -> Result<Value, EvalError> {
    match r {
        Ok(j) => k(j),
        Err(Stop::Unknown(u)) => Ok(u),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// A `lambda(...)` argument: its variable names and body.
struct Lambda<'e> {
    params: Vec<String>,
    body: &'e Expr,
    /// Which argument of the call it is (0-based), for errors.
    arg: usize,
}

impl Ev<'_> {
    /// Argument `i` of `c`, which must be written `lambda('x', ..., body)` with at most `max`
    /// variables.
    fn lambda_arg<'e>(&self, c: &Call<'e>, i: usize, max: usize) -> Result<Lambda<'e>, Stop> {
        let e = &c.args[i];
        let not_lambda = || c.bad_value(i, "a lambda('x', ..., expression)", e.to_string());
        let ExprKind::Call { name, args } = &e.kind else {
            return Err(not_lambda().into());
        };
        if !name.eq_ignore_ascii_case("lambda") || args.len() < 2 {
            return Err(not_lambda().into());
        }
        let (body, names) = args.split_last().expect("at least two arguments");
        if names.len() > max {
            return Err(c
                .bad_value(
                    i,
                    &format!("a lambda with at most {max} variable(s)"),
                    names.len().to_string(),
                )
                .into());
        }
        let mut params = Vec::with_capacity(names.len());
        for n in names {
            match &n.kind {
                ExprKind::Str(s) => params.push(s.clone()),
                _ => {
                    return Err(c
                        .bad_value(i, "lambda variable names as string literals", n.to_string())
                        .into())
                }
            }
        }
        Ok(Lambda {
            params,
            body,
            arg: i,
        })
    }

    /// Evaluates the lambda's body with its variables bound to the leading `values`.
    fn apply_lambda(&self, c: &Call, l: &Lambda, values: &[Json]) -> Result<Json, Stop> {
        let calls = self.lambda_calls.get() + 1;
        if calls > MAX_LAMBDA_CALLS {
            return Err(c
                .bad_value(
                    l.arg,
                    &format!("at most {MAX_LAMBDA_CALLS} lambda evaluations"),
                    "more".into(),
                )
                .into());
        }
        self.lambda_calls.set(calls);
        let depth = self.locals.borrow().len();
        self.locals.borrow_mut().extend(
            l.params
                .iter()
                .cloned()
                .zip(values.iter().cloned())
                .collect::<Vec<_>>(),
        );
        let r = self.eval(l.body);
        self.locals.borrow_mut().truncate(depth);
        match r? {
            Value::Known(j) => Ok(j),
            u => Err(Stop::Unknown(u)),
        }
    }

    /// Evaluates argument `i`, which must be known to go on.
    fn input(&self, c: &Call, i: usize) -> Result<Json, Stop> {
        match self.eval(&c.args[i])? {
            Value::Known(j) => Ok(j),
            u => Err(Stop::Unknown(u)),
        }
    }

    /// Evaluates argument `i`, which must be an array.
    fn input_array(&self, c: &Call, i: usize) -> Result<Vec<Json>, Stop> {
        match self.input(c, i)? {
            Json::Array(a) => Ok(a),
            x => Err(c.bad(i, "array", &x).into()),
        }
    }
}

fn bare_lambda(_: &Ev, c: &Call) -> Result<Value, EvalError> {
    Err(EvalError::Access {
        message: "lambda(...) is allowed only as an argument of filter, groupBy, map, \
                  mapValues, reduce, sort or toObject"
            .into(),
        column: c.call.start + 1,
    })
}

fn lambda_variables(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let name = c.str(v, 0)?;
    let locals = ev.locals.borrow();
    let found = locals.iter().rev().find(|(n, _)| n == name).or_else(|| {
        locals
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
    });
    match found {
        Some((_, j)) => k(j.clone()),
        None => Err(EvalError::Undefined {
            kind: "lambda variable",
            name: name.to_string(),
            column: c.call.start + 1,
        }),
    }
}

fn filter(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let l = ev.lambda_arg(c, 1, 2)?;
        let mut out = Vec::new();
        for (i, x) in input.into_iter().enumerate() {
            match ev.apply_lambda(c, &l, &[x.clone(), json!(i)])? {
                Json::Bool(true) => out.push(x),
                Json::Bool(false) => {}
                other => return Err(c.bad(1, "a lambda returning bool", &other).into()),
            }
        }
        Ok(Json::Array(out))
    })())
}

fn map(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let l = ev.lambda_arg(c, 1, 2)?;
        let mut out = Vec::with_capacity(input.len());
        for (i, x) in input.into_iter().enumerate() {
            out.push(ev.apply_lambda(c, &l, &[x, json!(i)])?);
        }
        Ok(Json::Array(out))
    })())
}

fn reduce(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(3, 3)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let mut acc = ev.input(c, 1)?;
        let l = ev.lambda_arg(c, 2, 3)?;
        for (i, x) in input.into_iter().enumerate() {
            acc = ev.apply_lambda(c, &l, &[acc, x, json!(i)])?;
        }
        Ok(acc)
    })())
}

fn sort(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let l = ev.lambda_arg(c, 1, 2)?;
        let before = |a: &Json, b: &Json| -> Result<bool, Stop> {
            match ev.apply_lambda(c, &l, &[a.clone(), b.clone()])? {
                Json::Bool(x) => Ok(x),
                other => Err(c.bad(1, "a lambda returning bool", &other).into()),
            }
        };
        Ok(Json::Array(merge_sort(input, &before)?))
    })())
}

/// A stable merge sort by a fallible "comes before" test: `slice::sort_by` may panic when the
/// order is not total, which a template's lambda need not be.
fn merge_sort<F>(mut v: Vec<Json>, before: &F) -> Result<Vec<Json>, Stop>
where
    F: Fn(&Json, &Json) -> Result<bool, Stop>,
{
    if v.len() <= 1 {
        return Ok(v);
    }
    let right = v.split_off(v.len() / 2);
    let (left, right) = (merge_sort(v, before)?, merge_sort(right, before)?);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        // Take from the right only when it must come before the left: equal elements keep
        // their order.
        let take_right = before(b, a)?;
        out.extend(if take_right { r.next() } else { l.next() });
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// A lambda's result used as an object key.
fn key(c: &Call, arg: usize, j: Json) -> Result<String, Stop> {
    match j {
        Json::String(s) => Ok(s),
        other => Err(c.bad(arg, "a lambda returning a string key", &other).into()),
    }
}

fn to_object(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 3)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let key_of = ev.lambda_arg(c, 1, 1)?;
        let value_of = if c.args.len() > 2 {
            Some(ev.lambda_arg(c, 2, 1)?)
        } else {
            None
        };
        let mut out = Map::new();
        for x in input {
            let name = key(c, 1, ev.apply_lambda(c, &key_of, std::slice::from_ref(&x))?)?;
            let value = match &value_of {
                Some(l) => ev.apply_lambda(c, l, &[x])?,
                None => x,
            };
            out.insert(name, value);
        }
        Ok(Json::Object(out))
    })())
}

fn group_by(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    finish((|| {
        let input = ev.input_array(c, 0)?;
        let l = ev.lambda_arg(c, 1, 1)?;
        let mut out = Map::new();
        for x in input {
            let name = key(c, 1, ev.apply_lambda(c, &l, std::slice::from_ref(&x))?)?;
            if let Json::Array(group) = out.entry(name).or_insert_with(|| json!([])) {
                group.push(x);
            }
        }
        Ok(Json::Object(out))
    })())
}

fn map_values(ev: &Ev, c: &Call) -> Result<Value, EvalError> {
    c.arity(2, 2)?;
    finish((|| {
        let input = match ev.input(c, 0)? {
            Json::Object(m) => m,
            x => return Err(c.bad(0, "object", &x).into()),
        };
        let l = ev.lambda_arg(c, 1, 1)?;
        let mut out = Map::new();
        for (name, x) in input {
            out.insert(name, ev.apply_lambda(c, &l, &[x])?);
        }
        Ok(Json::Object(out))
    })())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ctx, err, unk};
    use crate::eval::eval_template_string;
    use crate::value::{EvalError, Value};
    use serde_json::{json, Value as Json};

    /// The dogs of the Learn page's examples, as a variable.
    fn dogs() -> crate::Context {
        let mut c = ctx();
        c.variables.insert(
            "dogs".into(),
            json!([
                {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
                {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
                {"name": "Indy", "age": 2, "interests": ["Butter"]},
                {"name": "Kira", "age": 8, "interests": ["Rubs"]}
            ]),
        );
        c
    }

    fn ev(s: &str) -> Json {
        match eval_template_string(s, &dogs()).unwrap_or_else(|e| panic!("{s}: {e}")) {
            Value::Known(j) => j,
            Value::Unknown(u) => panic!("{s}: unknown {u:?}"),
        }
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#filter
    #[test]
    fn filter_doc_examples() {
        assert_eq!(
            ev("[filter(variables('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))]"),
            json!([
                {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
                {"name": "Kira", "age": 8, "interests": ["Rubs"]}
            ])
        );
        assert_eq!(
            ev("[filter(range(0, 10), lambda('i', greater(lambdaVariables('i'), 5)))]"),
            json!([6, 7, 8, 9])
        );
        assert_eq!(
            ev("[filter(range(0, 10), lambda('i', equals(0, mod(lambdaVariables('i'), 2))))]"),
            json!([0, 2, 4, 6, 8])
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#map
    #[test]
    fn map_doc_examples() {
        assert_eq!(
            ev("[map(variables('dogs'), lambda('dog', lambdaVariables('dog').name))]"),
            json!(["Evie", "Casper", "Indy", "Kira"])
        );
        assert_eq!(
            ev("[map(variables('dogs'), lambda('dog', format('Hello {0}!', lambdaVariables('dog').name)))]"),
            json!(["Hello Evie!", "Hello Casper!", "Hello Indy!", "Hello Kira!"])
        );
        assert_eq!(
            ev("[map(range(0, length(variables('dogs'))), lambda('i', createObject('i', lambdaVariables('i'), 'dog', variables('dogs')[lambdaVariables('i')].name, 'greeting', format('Ahoy, {0}!', variables('dogs')[lambdaVariables('i')].name))))]"),
            json!([
                {"i": 0, "dog": "Evie", "greeting": "Ahoy, Evie!"},
                {"i": 1, "dog": "Casper", "greeting": "Ahoy, Casper!"},
                {"i": 2, "dog": "Indy", "greeting": "Ahoy, Indy!"},
                {"i": 3, "dog": "Kira", "greeting": "Ahoy, Kira!"}
            ])
        );
        // The index form binds the element's position to the second variable.
        assert_eq!(
            ev("[map(createArray(10, 20, 30), lambda('val', 'i', add(lambdaVariables('val'), lambdaVariables('i'))))]"),
            json!([10, 21, 32])
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#reduce
    #[test]
    fn reduce_doc_examples() {
        let ages = "map(variables('dogs'), lambda('dog', lambdaVariables('dog').age))";
        assert_eq!(
            ev(&format!("[reduce({ages}, 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]")),
            json!(18)
        );
        assert_eq!(
            ev(&format!("[reduce({ages}, 1, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]")),
            json!(19)
        );
        assert_eq!(
            ev("[reduce(createArray(createObject('foo', 123), createObject('bar', 456), createObject('baz', 789)), createObject(), lambda('cur', 'next', union(lambdaVariables('cur'), lambdaVariables('next'))))]"),
            json!({"foo": 123, "bar": 456, "baz": 789})
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#sort
    #[test]
    fn sort_doc_example() {
        assert_eq!(
            ev("[sort(variables('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, lambdaVariables('b').age)))]"),
            json!([
                {"name": "Indy", "age": 2, "interests": ["Butter"]},
                {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
                {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
                {"name": "Kira", "age": 8, "interests": ["Rubs"]}
            ])
        );
        // A comparator that is not an order does not panic.
        assert!(ev("[sort(range(0, 50), lambda('a', 'b', true))]").is_array());
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#toobject
    #[test]
    fn to_object_doc_examples() {
        let by_name = json!({
            "Evie": {"name": "Evie", "age": 5, "interests": ["Ball", "Frisbee"]},
            "Casper": {"name": "Casper", "age": 3, "interests": ["Other dogs"]},
            "Indy": {"name": "Indy", "age": 2, "interests": ["Butter"]},
            "Kira": {"name": "Kira", "age": 8, "interests": ["Rubs"]}
        });
        assert_eq!(
            ev("[toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name))]"),
            by_name
        );
        assert_eq!(
            ev("[toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name), lambda('entry', lambdaVariables('entry')))]"),
            by_name
        );
        assert_eq!(
            ev("[toObject(variables('dogs'), lambda('entry', lambdaVariables('entry').name), lambda('entry', lambdaVariables('entry').age))]"),
            json!({"Evie": 5, "Casper": 3, "Indy": 2, "Kira": 8})
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#groupby
    #[test]
    fn group_by_doc_example() {
        assert_eq!(
            ev("[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]"),
            json!({"f": ["foo"], "b": ["bar", "baz"]})
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda#mapvalues
    #[test]
    fn map_values_doc_example() {
        assert_eq!(
            ev("[mapValues(createObject('foo', 'foo', 'bar', 'bar'), lambda('val', toUpper(lambdaVariables('val'))))]"),
            json!({"foo": "FOO", "bar": "BAR"})
        );
    }

    #[test]
    fn unknowns_and_misuse() {
        let mut c = dogs();
        c.resource_group_location = None;
        let u = unk(
            "[map(createArray(resourceGroup().location), lambda('x', lambdaVariables('x')))]",
            &c,
        );
        assert_eq!(u.expression, "resourceGroup().location");
        let u = unk(
            "[map(range(0, 2), lambda('x', concat(resourceGroup().location, lambdaVariables('x'))))]",
            &c,
        );
        assert_eq!(u.expression, "resourceGroup().location");
        assert!(matches!(
            err("[lambda('x', 1)]"),
            crate::Error::Eval(EvalError::Access { .. })
        ));
        assert!(matches!(
            err("[map(range(0, 2), 'x')]"),
            crate::Error::Eval(EvalError::Argument { argument: 2, .. })
        ));
        assert!(matches!(
            err("[lambdaVariables('x')]"),
            crate::Error::Eval(EvalError::Undefined { .. })
        ));
        assert!(matches!(
            err("[filter(range(0, 2), lambda('x', 1))]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
        // Variables are scoped to their lambda.
        assert!(
            err("[concat(map(range(0, 1), lambda('x', 1)), lambdaVariables('x'))]")
                .to_string()
                .contains("lambda variable")
        );
        // Nested lambdas over big ranges stop at the evaluation budget.
        assert!(matches!(
            err("[map(range(0, 10000), lambda('x', map(range(0, 10000), lambda('y', 1))))]"),
            crate::Error::Eval(EvalError::Argument { .. })
        ));
    }
}
