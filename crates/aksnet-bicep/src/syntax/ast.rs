//! The tree of a Bicep file. Every node that a message may point at keeps its byte offset
//! (`at`).

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it starts.
    pub at: usize,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string: literal pieces around interpolated expressions (`pieces.len() == holes.len()
    /// + 1`).
    Str {
        /// Literal text.
        pieces: Vec<String>,
        /// The `${...}` expressions.
        holes: Vec<Expr>,
    },
    /// A name: a parameter, variable, resource, module, loop variable, import or function.
    Ident(String),
    /// `[a, b, ...c]`.
    Array(Vec<Item>),
    /// `{ key: value, ...spread, resource child ... }`.
    Object(Vec<Prop>),
    /// `[for (x, i) in list: if (cond) body]`.
    For(Box<For>),
    /// `if (cond) body` (a resource or module body only).
    If(Box<Expr>, Box<Expr>),
    /// `name(args)` or `ns.name(args)`.
    Call {
        /// `sys`, `az` or an import's alias.
        ns: Option<String>,
        /// The function.
        name: String,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// `a.b` (`a.?b` when `safe`).
    Member {
        /// The object.
        base: Box<Expr>,
        /// The property.
        name: String,
        /// `.?`.
        safe: bool,
    },
    /// `a[i]` (`a[?i]` when `safe`, `a[^i]` from the end).
    Index {
        /// The array or object.
        base: Box<Expr>,
        /// The index.
        index: Box<Expr>,
        /// `[?`.
        safe: bool,
        /// `[^`: counted from the end (`a[^1]` is the last element).
        from_end: bool,
    },
    /// `parent::child`.
    Child(Box<Expr>, String),
    /// A unary operator: `!`, `-`, `+`.
    Unary(&'static str, Box<Expr>),
    /// A binary operator.
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x => body` or `(a, b) => body`.
    Lambda(Vec<String>, Box<Expr>),
    /// `x!` (a non-null assertion: the value itself).
    NonNull(Box<Expr>),
}

/// An array item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A value.
    Value(Expr),
    /// `...array`.
    Spread(Expr),
}

/// An object member.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    /// `key: value`.
    Pair {
        /// The key: a name or a string (possibly interpolated).
        key: Expr,
        /// The value.
        value: Expr,
        /// Where the key starts.
        at: usize,
    },
    /// `...object`.
    Spread(Expr),
    /// A child resource declared inside its parent's body.
    Resource(Box<Resource>),
}

/// A for-expression.
#[derive(Clone, Debug, PartialEq)]
pub struct For {
    /// The item's name.
    pub item: String,
    /// The index's name, if any.
    pub index: Option<String>,
    /// The array looped over.
    pub iter: Expr,
    /// The body (an `If` for a filtered resource or module loop).
    pub body: Expr,
}

/// A decorator: `@name(args)` or `@ns.name(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Decorator {
    /// Its name (namespace dropped).
    pub name: String,
    /// Its arguments.
    pub args: Vec<Expr>,
    /// Where it starts.
    pub at: usize,
}

/// A type expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `string`, `int`, `bool`, `object`, `array`, `any` or a user-defined type's name
    /// (`ns.name` for an imported one).
    Named(String),
    /// `resource 'Type@version'`.
    Resource(String),
    /// A literal (`'a'`, `1`, `true`), as the JSON it allows.
    Literal(serde_json::Value),
    /// `a | b`.
    Union(Vec<Type>),
    /// `t[]`.
    Array(Box<Type>),
    /// `[a, b]`.
    Tuple(Vec<Type>),
    /// `{ name: type, name?: type }`.
    Object(Vec<(String, Type, bool)>),
    /// `t?`.
    Nullable(Box<Type>),
}

/// A resource declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Its decorators.
    pub decorators: Vec<Decorator>,
    /// Its symbolic name.
    pub name: String,
    /// `Type@apiVersion` as written (a nested child's type may be short).
    pub ty: String,
    /// Where the type string starts.
    pub ty_at: usize,
    /// `existing`.
    pub existing: bool,
    /// The body: an object, `if (c) {...}` or `[for ...]`.
    pub body: Expr,
    /// Where the declaration starts.
    pub at: usize,
}

/// One `import` item: `name` or `name as alias`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportItem {
    /// The exported name.
    pub name: String,
    /// The local name.
    pub alias: String,
}

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    /// `targetScope = '...'`.
    TargetScope(Expr),
    /// `param name type = default`.
    Param {
        /// Its name.
        name: String,
        /// Its type (`None` in a `.bicepparam` file).
        ty: Option<Type>,
        /// Its default (or, in a `.bicepparam` file, its value).
        default: Option<Expr>,
    },
    /// `var name = value`.
    Var {
        /// Its name.
        name: String,
        /// Its value.
        value: Expr,
    },
    /// `resource ...`.
    Resource(Resource),
    /// `module name 'path' = body`.
    Module {
        /// Its symbolic name.
        name: String,
        /// The module's path or registry reference.
        path: String,
        /// Where the path starts.
        path_at: usize,
        /// The body: an object, `if` or `for`.
        body: Expr,
    },
    /// `output name type = value`.
    Output {
        /// Its name.
        name: String,
        /// Its type.
        ty: Type,
        /// Its value.
        value: Expr,
    },
    /// `type name = type`.
    TypeAlias {
        /// Its name.
        name: String,
        /// The type.
        ty: Type,
    },
    /// `func name(params) type => body`.
    Func {
        /// Its name.
        name: String,
        /// Its parameters.
        params: Vec<(String, Type)>,
        /// Its result type.
        ret: Type,
        /// Its body.
        body: Expr,
    },
    /// `import {a, b as c} from 'file'` or `import * as ns from 'file'`.
    Import {
        /// The items (`None` for `* as ns`).
        items: Option<Vec<ImportItem>>,
        /// The namespace of `* as ns`.
        wildcard: Option<String>,
        /// The file.
        from: String,
    },
    /// `using 'main.bicep'` (a `.bicepparam` file; `None` for `using none`).
    Using(Option<String>),
    /// A statement that deploys nothing: `metadata`, `assert`, `extension`, a provider
    /// `import 'az@1.0.0'`.
    Ignored(&'static str),
}

/// A statement with its decorators and position.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `@...` above it.
    pub decorators: Vec<Decorator>,
    /// The statement.
    pub decl: Decl,
    /// Where it starts (its keyword).
    pub at: usize,
}

impl Statement {
    /// The decorator named `name`, if present.
    pub fn decorator(&self, name: &str) -> Option<&Decorator> {
        self.decorators
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }
}
