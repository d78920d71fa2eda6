//! Values, unknowns, the deployment context and evaluation errors.

use serde_json::{Map, Value as Json};

/// A value the evaluator cannot know, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The sub-expression (printed) whose value is unknown.
    pub expression: String,
    /// Why it is unknown.
    pub reason: String,
    /// The resource (its ARM id) whose attribute this is, when the unknown is an attribute Azure
    /// sets on a resource of the same input at deployment (a firewall's private IP): lets an
    /// analysis that predicts that attribute (`--switch firewall-first-address`) use it.
    pub of: Option<String>,
}

/// The result of evaluating an expression: a JSON value or an unknown.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A known JSON value.
    Known(Json),
    /// A value the caller did not supply (or a function not implemented).
    Unknown(Unknown),
}

/// The key under which an unknown value is written inside JSON:
/// `{"$unknown": {"expression": "...", "reason": "..."}}` (a template's evaluated resources
/// carry their unknowns this way, and reading one back gives the unknown again).
pub const UNKNOWN_KEY: &str = "$unknown";

impl Unknown {
    /// The unknown written as JSON (see [`UNKNOWN_KEY`]).
    pub fn to_json(&self) -> Json {
        let mut inner = Map::new();
        inner.insert("expression".into(), Json::String(self.expression.clone()));
        inner.insert("reason".into(), Json::String(self.reason.clone()));
        if let Some(of) = &self.of {
            inner.insert("of".into(), Json::String(of.clone()));
        }
        let mut m = Map::new();
        m.insert(UNKNOWN_KEY.into(), Json::Object(inner));
        Json::Object(m)
    }

    /// The unknown `j` stands for, if it is one written as JSON.
    pub fn from_json(j: &Json) -> Option<Self> {
        let m = j.as_object().filter(|m| m.len() == 1)?;
        let inner = m.get(UNKNOWN_KEY)?.as_object()?;
        Some(Unknown {
            expression: inner.get("expression")?.as_str()?.to_string(),
            reason: inner.get("reason")?.as_str()?.to_string(),
            of: inner.get("of").and_then(Json::as_str).map(String::from),
        })
    }
}

impl Value {
    /// A JSON value as the evaluator sees it: an unknown written as JSON is unknown.
    pub fn from_json(j: Json) -> Self {
        match Unknown::from_json(&j) {
            Some(u) => Value::Unknown(u),
            None => Value::Known(j),
        }
    }

    /// The value as JSON: an unknown is written as JSON (see [`UNKNOWN_KEY`]).
    pub fn into_json(self) -> Json {
        match self {
            Value::Known(j) => j,
            Value::Unknown(u) => u.to_json(),
        }
    }

    /// The known JSON value, if any.
    pub fn known(&self) -> Option<&Json> {
        match self {
            Value::Known(j) => Some(j),
            Value::Unknown(_) => None,
        }
    }
}

/// Facts about the deployment, supplied by the caller; `None` facts evaluate to unknown.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Parameter values by name (looked up case-insensitively).
    pub parameters: Map<String, Json>,
    /// Variable values by name, already evaluated (looked up case-insensitively).
    pub variables: Map<String, Json>,
    /// The subscription id (a GUID).
    pub subscription_id: Option<String>,
    /// The tenant id.
    pub tenant_id: Option<String>,
    /// The resource group name.
    pub resource_group_name: Option<String>,
    /// The resource group location.
    pub resource_group_location: Option<String>,
    /// The deployment name.
    pub deployment_name: Option<String>,
    /// Whether the deployment targets a subscription (no resource group): `resourceId` then
    /// names subscription-level resources.
    pub subscription_scope: bool,
}

/// What only the template being deployed knows, asked for by the evaluator. Every method
/// answers `None` when it has nothing to say, and the evaluator falls back (to the
/// [`Context`]'s maps, to an error, or to an unknown).
pub trait Host {
    /// A parameter's value (`parameters('name')`).
    fn parameter(&self, _name: &str) -> Option<Result<Value, EvalError>> {
        None
    }
    /// A variable's value (`variables('name')`), evaluated on first use.
    fn variable(&self, _name: &str) -> Option<Result<Value, EvalError>> {
        None
    }
    /// The current index of the named copy loop (or of the innermost one).
    fn copy_index(&self, _loop_name: Option<&str>) -> Option<i64> {
        None
    }
    /// `reference(target, apiVersion, 'Full'?)`: the state of a resource of this deployment,
    /// by id or (language version 2.0) symbolic name.
    fn reference(&self, _target: &str, _full: bool) -> Option<Value> {
        None
    }
    /// `resourceInfo('symbolic')`: the id, name, type and apiVersion of a resource.
    fn resource_info(&self, _symbolic: &str) -> Option<Value> {
        None
    }
    /// The user-defined function `namespace.member` of the template (its `functions`
    /// section), compared case-insensitively.
    fn user_function(&self, _namespace: &str, _member: &str) -> Option<UserFunction> {
        None
    }
}

/// A user-defined function: its parameters' names in order and its output value (a template
/// string or JSON holding them), from a template's `functions` section (Learn,
/// "User-defined functions in ARM templates").
#[derive(Clone, Debug, PartialEq)]
pub struct UserFunction {
    /// Parameter names, in order.
    pub parameters: Vec<String>,
    /// `output.value`.
    pub output: Json,
}

/// A [`Host`] that knows nothing: expressions evaluated outside a template.
pub struct NoHost;

impl Host for NoHost {}

/// An evaluation error: never a panic.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// No such template function.
    #[error("column {column}: unknown function '{name}'")]
    UnknownFunction {
        /// The name as written.
        name: String,
        /// 1-based column.
        column: usize,
    },
    /// Wrong number of arguments.
    #[error("column {column}: {function} expects {expected} argument(s), got {found}")]
    Arity {
        /// The function.
        function: String,
        /// What it expects, e.g. "2" or "at least 1".
        expected: String,
        /// How many it got.
        found: usize,
        /// 1-based column of the call.
        column: usize,
    },
    /// An argument of the wrong type or value.
    #[error("column {column}: {function} argument {argument}: expected {expected}, found {found}")]
    Argument {
        /// The function.
        function: String,
        /// 1-based argument number.
        argument: usize,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
        /// 1-based column of the argument.
        column: usize,
    },
    /// A property or index access that cannot be made.
    #[error("column {column}: {message}")]
    Access {
        /// What went wrong.
        message: String,
        /// 1-based column of the access.
        column: usize,
    },
    /// A parameter or variable that is not defined.
    #[error("column {column}: no {kind} named '{name}'")]
    Undefined {
        /// "parameter" or "variable".
        kind: &'static str,
        /// The name.
        name: String,
        /// 1-based column.
        column: usize,
    },
}

/// The JSON type name ARM uses in messages.
pub(crate) fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "int",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Case-insensitive object lookup (exact match first), as ARM reads properties.
pub(crate) fn get_ci<'a>(m: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    m.get(key).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}
