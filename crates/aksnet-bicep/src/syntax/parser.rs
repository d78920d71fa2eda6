//! A recursive-descent parser for Bicep files and `.bicepparam` files. Statements and object
//! or array items end at line breaks (or commas); inside parentheses line breaks are free; a
//! line that starts with an operator that cannot start an expression (`?`, `:`, `&&`, `??`,
//! `.`...) continues the expression above it.

use super::ast::*;
use super::lexer::{lex, Tok, Token};
use super::Error;

/// The deepest nesting of expressions parsed (hostile input must not overflow the stack).
pub const MAX_DEPTH: usize = 64;

/// Parses a whole file into its statements.
pub fn parse(text: &str) -> Result<Vec<Statement>, Error> {
    let toks = lex(text)?;
    let mut p = Parser {
        t: &toks,
        i: 0,
        depth: 0,
    };
    p.file()
}

/// Parses one expression (for tests and `name=value` arguments).
pub fn parse_expr(text: &str) -> Result<Expr, Error> {
    let toks = lex(text)?;
    let mut p = Parser {
        t: &toks,
        i: 0,
        depth: 0,
    };
    p.skip_newlines();
    let e = p.expr()?;
    p.skip_newlines();
    p.expect_eof()?;
    Ok(e)
}

struct Parser<'t> {
    t: &'t [Token],
    i: usize,
    depth: usize,
}

/// Binary operators by precedence, loosest first (`??` binds looser than `||`).
const LEVELS: &[&[&str]] = &[
    &["??"],
    &["||"],
    &["&&"],
    &["==", "!=", "=~", "!~"],
    &["<", "<=", ">", ">="],
    &["+", "-"],
    &["*", "/", "%"],
];

/// Operators that may begin a continuation line.
const CONTINUES: &[&str] = &[
    "?", ":", "??", "||", "&&", "==", "!=", "=~", "!~", "<=", ">=", "*", "/", "%", ".", ".?", "<",
    ">",
];

impl<'t> Parser<'t> {
    fn peek(&self) -> &'t Tok {
        &self.t[self.i.min(self.t.len() - 1)].tok
    }

    fn at(&self) -> usize {
        self.t[self.i.min(self.t.len() - 1)].at
    }

    fn bump(&mut self) -> &'t Token {
        let t = &self.t[self.i.min(self.t.len() - 1)];
        if self.i < self.t.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn err(&self, message: &str) -> Error {
        let found = match self.peek() {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Int(n) => n.to_string(),
            Tok::Str { .. } | Tok::Multi(_) => "a string".into(),
            Tok::Sym(s) => format!("'{s}'"),
            Tok::Newline => "a line break".into(),
            Tok::Eof => "the end of the file".into(),
        };
        Error {
            at: self.at(),
            message: format!("{message}, found {found}"),
        }
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if self.is_sym(s) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), Error> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.err(&format!("expected '{s}'")))
        }
    }

    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Ident(x) if x == s)
    }

    fn ident(&mut self, what: &str) -> Result<String, Error> {
        match self.peek() {
            Tok::Ident(s) => {
                self.bump();
                Ok(s.clone())
            }
            _ => Err(self.err(&format!("expected {what}"))),
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.bump();
        }
    }

    fn expect_eof(&self) -> Result<(), Error> {
        match self.peek() {
            Tok::Eof => Ok(()),
            _ => Err(self.err("expected the end of the input")),
        }
    }

    /// A plain string literal (no holes).
    fn literal(&mut self, what: &str) -> Result<(String, usize), Error> {
        let at = self.at();
        match self.peek() {
            Tok::Str { pieces, holes } if holes.is_empty() => {
                self.bump();
                Ok((pieces[0].clone(), at))
            }
            Tok::Multi(s) => {
                self.bump();
                Ok((s.clone(), at))
            }
            Tok::Str { .. } => Err(Error {
                at,
                message: format!("{what} must be a string without ${{...}}"),
            }),
            _ => Err(self.err(&format!("expected {what} (a string)"))),
        }
    }

    /// The end of a statement: a line break or the end of the file.
    fn end_statement(&mut self) -> Result<(), Error> {
        match self.peek() {
            Tok::Newline => {
                self.skip_newlines();
                Ok(())
            }
            Tok::Eof => Ok(()),
            _ => Err(self.err("expected a line break after the statement")),
        }
    }

    fn file(&mut self) -> Result<Vec<Statement>, Error> {
        let mut out = Vec::new();
        self.skip_newlines();
        while !matches!(self.peek(), Tok::Eof) {
            out.push(self.statement()?);
            self.end_statement()?;
        }
        Ok(out)
    }

    fn decorators(&mut self) -> Result<Vec<Decorator>, Error> {
        let mut out = Vec::new();
        while self.is_sym("@") {
            let at = self.at();
            self.bump();
            let mut name = self.ident("a decorator's name")?;
            while self.eat_sym(".") {
                name = self.ident("a decorator's name")?;
            }
            let args = if self.is_sym("(") {
                self.args()?
            } else {
                Vec::new()
            };
            out.push(Decorator { name, args, at });
            self.skip_newlines();
        }
        Ok(out)
    }

    fn statement(&mut self) -> Result<Statement, Error> {
        let decorators = self.decorators()?;
        let at = self.at();
        let kw = self.ident("a statement (param, var, resource, module, output...)")?;
        let decl = match kw.as_str() {
            "targetScope" => {
                self.expect_sym("=")?;
                Decl::TargetScope(self.expr()?)
            }
            "param" => {
                let name = self.ident("the parameter's name")?;
                let ty = if self.is_sym("=") {
                    None
                } else {
                    Some(self.ty()?)
                };
                let default = if self.eat_sym("=") {
                    self.skip_newlines();
                    Some(self.expr()?)
                } else {
                    None
                };
                Decl::Param { name, ty, default }
            }
            "var" => {
                let name = self.ident("the variable's name")?;
                if !self.is_sym("=") {
                    self.ty()?;
                }
                self.expect_sym("=")?;
                self.skip_newlines();
                Decl::Var {
                    name,
                    value: self.expr()?,
                }
            }
            "resource" => Decl::Resource(self.resource(decorators.clone(), at)?),
            "module" => {
                let name = self.ident("the module's symbolic name")?;
                let (path, path_at) = self.literal("the module's path")?;
                self.expect_sym("=")?;
                self.skip_newlines();
                Decl::Module {
                    name,
                    path,
                    path_at,
                    body: self.body()?,
                }
            }
            "output" => {
                let name = self.ident("the output's name")?;
                let ty = self.ty()?;
                self.expect_sym("=")?;
                self.skip_newlines();
                Decl::Output {
                    name,
                    ty,
                    value: self.expr()?,
                }
            }
            "type" => {
                let name = self.ident("the type's name")?;
                self.expect_sym("=")?;
                self.skip_newlines();
                Decl::TypeAlias {
                    name,
                    ty: self.ty()?,
                }
            }
            "func" => {
                let name = self.ident("the function's name")?;
                self.expect_sym("(")?;
                let mut params = Vec::new();
                while !self.eat_sym(")") {
                    let n = self.ident("a parameter's name")?;
                    params.push((n, self.ty()?));
                    if !self.eat_sym(",") && !self.is_sym(")") {
                        return Err(self.err("expected ',' or ')'"));
                    }
                }
                let ret = self.ty()?;
                self.expect_sym("=>")?;
                self.skip_newlines();
                Decl::Func {
                    name,
                    params,
                    ret,
                    body: self.expr()?,
                }
            }
            "import" => self.import()?,
            "using" => {
                if self.is_ident("none") {
                    self.bump();
                    Decl::Using(None)
                } else {
                    Decl::Using(Some(self.literal("the template's path")?.0))
                }
            }
            "metadata" | "assert" => {
                self.ident("a name")?;
                self.expect_sym("=")?;
                self.skip_newlines();
                self.expr()?;
                Decl::Ignored(if kw == "metadata" { "metadata" } else { "assert" })
            }
            "extension" | "provider" => {
                while !matches!(self.peek(), Tok::Newline | Tok::Eof) {
                    if self.is_sym("{") {
                        self.expr()?;
                    } else {
                        self.bump();
                    }
                }
                Decl::Ignored("extension")
            }
            other => {
                return Err(Error {
                    at,
                    message: format!("'{other}' does not start a statement"),
                }
                .hint("a statement starts with param, var, resource, module, output, type, func, import, targetScope or metadata"))
            }
        };
        Ok(Statement {
            decorators,
            decl,
            at,
        })
    }

    fn import(&mut self) -> Result<Decl, Error> {
        // `import 'az@1.0.0'` (a provider, deploys nothing).
        if matches!(self.peek(), Tok::Str { .. }) {
            self.bump();
            while !matches!(self.peek(), Tok::Newline | Tok::Eof) {
                self.bump();
            }
            return Ok(Decl::Ignored("import"));
        }
        let (items, wildcard) = if self.eat_sym("*") {
            if !self.is_ident("as") {
                return Err(self.err("expected 'as'"));
            }
            self.bump();
            (None, Some(self.ident("the namespace")?))
        } else {
            self.expect_sym("{")?;
            let mut items = Vec::new();
            loop {
                self.skip_newlines();
                if self.eat_sym("}") {
                    break;
                }
                let name = match self.peek() {
                    Tok::Str { .. } => self.literal("an import's name")?.0,
                    _ => self.ident("an imported name")?,
                };
                let alias = if self.is_ident("as") {
                    self.bump();
                    self.ident("the alias")?
                } else {
                    name.clone()
                };
                items.push(ImportItem { name, alias });
                self.eat_sym(",");
            }
            (Some(items), None)
        };
        if !self.is_ident("from") {
            return Err(self.err("expected 'from'"));
        }
        self.bump();
        let from = self.literal("the file imported from")?.0;
        Ok(Decl::Import {
            items,
            wildcard,
            from,
        })
    }

    fn resource(&mut self, decorators: Vec<Decorator>, at: usize) -> Result<Resource, Error> {
        let name = self.ident("the resource's symbolic name")?;
        let (ty, ty_at) = self.literal("the resource's type")?;
        let existing = if self.is_ident("existing") {
            self.bump();
            true
        } else {
            false
        };
        self.expect_sym("=")?;
        self.skip_newlines();
        Ok(Resource {
            decorators,
            name,
            ty,
            ty_at,
            existing,
            body: self.body()?,
            at,
        })
    }

    /// A resource or module body: an object, `if (c) {...}` or a for-expression.
    fn body(&mut self) -> Result<Expr, Error> {
        let at = self.at();
        if self.is_ident("if") {
            self.bump();
            self.expect_sym("(")?;
            self.skip_newlines();
            let c = self.expr()?;
            self.skip_newlines();
            self.expect_sym(")")?;
            self.skip_newlines();
            let body = self.primary()?;
            return Ok(Expr {
                kind: ExprKind::If(Box::new(c), Box::new(body)),
                at,
            });
        }
        self.primary()
    }

    fn ty(&mut self) -> Result<Type, Error> {
        let first = self.ty_postfix()?;
        if !self.is_sym("|") {
            return Ok(first);
        }
        let mut alts = vec![first];
        while self.eat_sym("|") {
            self.skip_newlines();
            alts.push(self.ty_postfix()?);
        }
        Ok(Type::Union(alts))
    }

    fn ty_postfix(&mut self) -> Result<Type, Error> {
        let mut t = self.ty_primary()?;
        loop {
            if self.is_sym("[")
                && matches!(self.t.get(self.i + 1).map(|t| &t.tok), Some(Tok::Sym("]")))
            {
                self.bump();
                self.bump();
                t = Type::Array(Box::new(t));
            } else if self.eat_sym("?") {
                t = Type::Nullable(Box::new(t));
            } else if self.is_sym("[") {
                // `type[*]` or `type[0]` (an element's type): read as the type itself.
                while !self.eat_sym("]") {
                    if matches!(self.peek(), Tok::Eof) {
                        return Err(self.err("expected ']'"));
                    }
                    self.bump();
                }
            } else {
                return Ok(t);
            }
        }
    }

    fn ty_primary(&mut self) -> Result<Type, Error> {
        self.decorators()?;
        match self.peek().clone() {
            Tok::Ident(s) if s == "resource" => {
                self.bump();
                Ok(Type::Resource(self.literal("the resource type")?.0))
            }
            Tok::Ident(s) if s == "true" || s == "false" => {
                self.bump();
                Ok(Type::Literal(serde_json::Value::Bool(s == "true")))
            }
            Tok::Ident(s) if s == "null" => {
                self.bump();
                Ok(Type::Literal(serde_json::Value::Null))
            }
            Tok::Ident(mut s) => {
                self.bump();
                // `resourceInput<'Type@version'>.properties.x` and other parameterized
                // types: their shape is in Bicep's type catalog, which aksnet does not have.
                if self.is_sym("<") {
                    let mut depth = 0usize;
                    loop {
                        match self.peek() {
                            Tok::Sym("<") => depth += 1,
                            Tok::Sym(">") => depth -= 1,
                            Tok::Eof | Tok::Newline => return Err(self.err("expected '>'")),
                            _ => {}
                        }
                        self.bump();
                        if depth == 0 {
                            break;
                        }
                    }
                    while self.eat_sym(".") {
                        self.ident("a property name")?;
                    }
                    return Ok(Type::Named("any".into()));
                }
                while self.eat_sym(".") {
                    s = format!("{s}.{}", self.ident("a type's name")?);
                }
                Ok(Type::Named(s))
            }
            Tok::Int(n) => {
                self.bump();
                Ok(Type::Literal(n.into()))
            }
            Tok::Sym("-") => {
                self.bump();
                match self.peek() {
                    Tok::Int(n) => {
                        let n = -*n;
                        self.bump();
                        Ok(Type::Literal(n.into()))
                    }
                    _ => Err(self.err("expected an integer")),
                }
            }
            Tok::Str { .. } | Tok::Multi(_) => {
                let (s, _) = self.literal("a literal type")?;
                Ok(Type::Literal(serde_json::Value::String(s)))
            }
            Tok::Sym("(") => {
                self.bump();
                let t = self.ty()?;
                self.expect_sym(")")?;
                Ok(t)
            }
            Tok::Sym("[") => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.skip_newlines();
                    if self.eat_sym("]") {
                        break;
                    }
                    items.push(self.ty()?);
                    self.eat_sym(",");
                }
                Ok(Type::Tuple(items))
            }
            Tok::Sym("{") => {
                self.bump();
                let mut props = Vec::new();
                loop {
                    self.skip_newlines();
                    self.decorators()?;
                    if self.eat_sym("}") {
                        break;
                    }
                    let name = match self.peek() {
                        Tok::Str { .. } => self.literal("a property's name")?.0,
                        Tok::Sym("*") => {
                            self.bump();
                            "*".to_string()
                        }
                        _ => self.ident("a property's name")?,
                    };
                    let optional = self.eat_sym("?");
                    self.expect_sym(":")?;
                    let t = self.ty()?;
                    props.push((name, t, optional));
                    self.eat_sym(",");
                }
                Ok(Type::Object(props))
            }
            _ => Err(self.err("expected a type")),
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("the expression is nested too deeply"));
        }
        Ok(())
    }

    /// An expression.
    pub fn expr(&mut self) -> Result<Expr, Error> {
        self.enter()?;
        let r = self.ternary();
        self.depth -= 1;
        r
    }

    /// Skips line breaks when the next line continues the expression with an operator.
    fn continuation(&mut self) {
        let mut j = self.i;
        while matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Newline)) {
            j += 1;
        }
        if j > self.i
            && matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Sym(s)) if CONTINUES.contains(s))
        {
            self.i = j;
        }
    }

    fn ternary(&mut self) -> Result<Expr, Error> {
        let c = self.binary(0)?;
        self.continuation();
        if !self.is_sym("?") {
            return Ok(c);
        }
        self.bump();
        self.skip_newlines();
        let a = self.expr()?;
        self.continuation();
        self.skip_newlines();
        self.expect_sym(":")?;
        self.skip_newlines();
        let b = self.expr()?;
        let at = c.at;
        Ok(Expr {
            kind: ExprKind::Ternary(Box::new(c), Box::new(a), Box::new(b)),
            at,
        })
    }

    fn binary(&mut self, level: usize) -> Result<Expr, Error> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            self.continuation();
            let Tok::Sym(op) = self.peek() else {
                return Ok(left);
            };
            let Some(op) = LEVELS[level].iter().find(|o| *o == op) else {
                return Ok(left);
            };
            self.bump();
            self.skip_newlines();
            self.enter()?;
            let right = self.binary(level + 1);
            self.depth -= 1;
            let at = left.at;
            left = Expr {
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right?)),
                at,
            };
        }
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        let at = self.at();
        for op in ["!", "-", "+"] {
            if self.is_sym(op) {
                self.bump();
                self.enter()?;
                let e = self.unary();
                self.depth -= 1;
                let e = e?;
                if op == "-" {
                    if let ExprKind::Int(n) = e.kind {
                        return Ok(Expr {
                            kind: ExprKind::Int(-n),
                            at,
                        });
                    }
                }
                return Ok(Expr {
                    kind: ExprKind::Unary(op, Box::new(e)),
                    at,
                });
            }
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, Error> {
        let mut e = self.primary()?;
        loop {
            let at = e.at;
            let mut j = self.i;
            while matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Newline)) {
                j += 1;
            }
            if j > self.i && matches!(self.t.get(j).map(|t| &t.tok), Some(Tok::Sym("." | ".?"))) {
                self.i = j;
            }
            if self.is_sym(".") || self.is_sym(".?") {
                let safe = self.is_sym(".?");
                self.bump();
                let name = self.ident("a property name after '.'")?;
                if !safe && self.is_sym("(") {
                    // `ns.function(...)`.
                    let ExprKind::Ident(ns) = &e.kind else {
                        return Err(self.err("only a namespace's function can be called"));
                    };
                    let ns = ns.clone();
                    let args = self.args()?;
                    e = Expr {
                        kind: ExprKind::Call {
                            ns: Some(ns),
                            name,
                            args,
                        },
                        at,
                    };
                    continue;
                }
                e = Expr {
                    kind: ExprKind::Member {
                        base: Box::new(e),
                        name,
                        safe,
                    },
                    at,
                };
            } else if self.is_sym("[") {
                self.bump();
                let safe = self.eat_sym("?");
                let from_end = self.eat_sym("^");
                self.skip_newlines();
                let index = self.expr()?;
                self.skip_newlines();
                self.expect_sym("]")?;
                e = Expr {
                    kind: ExprKind::Index {
                        base: Box::new(e),
                        index: Box::new(index),
                        safe,
                        from_end,
                    },
                    at,
                };
            } else if self.is_sym("::") {
                self.bump();
                let name = self.ident("a child resource's name after '::'")?;
                e = Expr {
                    kind: ExprKind::Child(Box::new(e), name),
                    at,
                };
            } else if self.is_sym("!") {
                self.bump();
                e = Expr {
                    kind: ExprKind::NonNull(Box::new(e)),
                    at,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, Error> {
        self.expect_sym("(")?;
        let mut args = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat_sym(")") {
                return Ok(args);
            }
            args.push(self.expr()?);
            self.skip_newlines();
            if !self.eat_sym(",") && !self.is_sym(")") {
                return Err(self.err("expected ',' or ')' in the arguments"));
            }
        }
    }

    /// `(a, b) =>` ahead?
    fn lambda_ahead(&self) -> bool {
        let mut j = self.i + 1;
        loop {
            match self.t.get(j).map(|t| &t.tok) {
                Some(Tok::Ident(_) | Tok::Sym(",") | Tok::Newline) => j += 1,
                Some(Tok::Sym(")")) => {
                    return matches!(self.t.get(j + 1).map(|t| &t.tok), Some(Tok::Sym("=>")))
                }
                _ => return false,
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, Error> {
        let at = self.at();
        let kind = match self.peek().clone() {
            Tok::Int(n) => {
                self.bump();
                ExprKind::Int(n)
            }
            Tok::Multi(s) => {
                self.bump();
                ExprKind::Str {
                    pieces: vec![s],
                    holes: Vec::new(),
                }
            }
            Tok::Str { pieces, holes } => {
                self.bump();
                let mut exprs = Vec::new();
                for h in &holes {
                    let mut p = Parser {
                        t: h,
                        i: 0,
                        depth: self.depth,
                    };
                    let e = p.expr()?;
                    p.expect_eof()?;
                    exprs.push(e);
                }
                ExprKind::Str {
                    pieces,
                    holes: exprs,
                }
            }
            Tok::Ident(s) => {
                self.bump();
                match s.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ if self.is_sym("=>") => {
                        self.bump();
                        self.skip_newlines();
                        ExprKind::Lambda(vec![s], Box::new(self.expr()?))
                    }
                    _ if self.is_sym("(") => ExprKind::Call {
                        ns: None,
                        name: s,
                        args: self.args()?,
                    },
                    _ => ExprKind::Ident(s),
                }
            }
            Tok::Sym("(") if self.lambda_ahead() => {
                self.bump();
                let mut names = Vec::new();
                while !self.eat_sym(")") {
                    self.skip_newlines();
                    if let Tok::Ident(n) = self.peek() {
                        names.push(n.clone());
                    }
                    self.bump();
                }
                self.expect_sym("=>")?;
                self.skip_newlines();
                ExprKind::Lambda(names, Box::new(self.expr()?))
            }
            Tok::Sym("(") => {
                self.bump();
                self.skip_newlines();
                let e = self.expr()?;
                self.skip_newlines();
                self.expect_sym(")")?;
                return Ok(e);
            }
            Tok::Sym("[") => {
                self.bump();
                self.skip_newlines();
                if self.is_ident("for") {
                    return self.for_expr(at);
                }
                let mut items = Vec::new();
                loop {
                    self.skip_newlines();
                    if self.eat_sym("]") {
                        break;
                    }
                    if self.eat_sym("...") {
                        items.push(Item::Spread(self.expr()?));
                    } else {
                        items.push(Item::Value(self.expr()?));
                    }
                    if !self.eat_sym(",")
                        && !matches!(self.peek(), Tok::Newline)
                        && !self.is_sym("]")
                    {
                        return Err(self.err("expected ',', a line break or ']' after an item"));
                    }
                }
                ExprKind::Array(items)
            }
            Tok::Sym("{") => {
                self.bump();
                ExprKind::Object(self.object_body()?)
            }
            _ => return Err(self.err("expected an expression")),
        };
        Ok(Expr { kind, at })
    }

    fn object_body(&mut self) -> Result<Vec<Prop>, Error> {
        let mut props = Vec::new();
        loop {
            self.skip_newlines();
            let decorators = self.decorators()?;
            if self.eat_sym("}") {
                return Ok(props);
            }
            let at = self.at();
            if self.eat_sym("...") {
                props.push(Prop::Spread(self.expr()?));
            } else if self.is_ident("resource")
                && matches!(self.t.get(self.i + 1).map(|t| &t.tok), Some(Tok::Ident(_)))
            {
                self.bump();
                props.push(Prop::Resource(Box::new(self.resource(decorators, at)?)));
            } else {
                let key = match self.peek().clone() {
                    Tok::Ident(s) => {
                        self.bump();
                        Expr {
                            kind: ExprKind::Str {
                                pieces: vec![s],
                                holes: Vec::new(),
                            },
                            at,
                        }
                    }
                    Tok::Str { .. } | Tok::Multi(_) => self.primary()?,
                    _ => return Err(self.err("expected a property name")),
                };
                self.expect_sym(":")?;
                self.skip_newlines();
                let value = self.expr()?;
                props.push(Prop::Pair { key, value, at });
            }
            if !self.eat_sym(",") && !matches!(self.peek(), Tok::Newline) && !self.is_sym("}") {
                return Err(self.err("expected ',', a line break or '}' after a property"));
            }
        }
    }

    fn for_expr(&mut self, at: usize) -> Result<Expr, Error> {
        self.bump(); // for
        let (item, index) = if self.eat_sym("(") {
            let item = self.ident("the loop's item name")?;
            self.expect_sym(",")?;
            let index = self.ident("the loop's index name")?;
            self.expect_sym(")")?;
            (item, Some(index))
        } else {
            (self.ident("the loop's item name")?, None)
        };
        if !self.is_ident("in") {
            return Err(self.err("expected 'in'"));
        }
        self.bump();
        let iter = self.expr()?;
        self.expect_sym(":")?;
        self.skip_newlines();
        let body = if self.is_ident("if") {
            self.body()?
        } else {
            self.expr()?
        };
        self.skip_newlines();
        self.expect_sym("]")?;
        Ok(Expr {
            kind: ExprKind::For(Box::new(For {
                item,
                index,
                iter,
                body,
            })),
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        let src = r#"
targetScope = 'resourceGroup'
@description('The VNet')
@allowed([
  'a'
  'b'
])
param name string = 'a'
param n int
var prefixes = [ '10.0.0.0/16', '10.1.0.0/16' ]
resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: name
  location: resourceGroup().location
  properties: {
    addressSpace: { addressPrefixes: prefixes }
  }
  resource snet 'subnets' = {
    name: 'a'
  }
}
resource subnets 'Microsoft.Network/virtualNetworks/subnets@2023-04-01' = [for (s, i) in prefixes: if (i > 0) {
  parent: vnet
  name: 's${i}'
}]
module m './m.bicep' = {
  name: 'm'
  params: { x: vnet::snet.id }
}
output id string = vnet.id
type t = { a: string, b?: int[] }
func f(a string) string => '${a}!'
import { x as y } from 'lib.bicep'
"#;
        let s = parse(src).unwrap();
        assert_eq!(s.len(), 11);
        assert_eq!(s[1].decorators.len(), 2);
        let Decl::Resource(r) = &s[4].decl else {
            panic!()
        };
        let ExprKind::Object(props) = &r.body.kind else {
            panic!()
        };
        assert!(matches!(props[3], Prop::Resource(_)));
        let Decl::Resource(r) = &s[5].decl else {
            panic!()
        };
        assert!(matches!(r.body.kind, ExprKind::For(_)));
    }

    #[test]
    fn precedence_and_continuations() {
        let e = parse_expr("a ?? b || c && d == e + f * g").unwrap();
        let ExprKind::Binary(op, _, _) = e.kind else {
            panic!()
        };
        assert_eq!(op, "??");
        let e = parse_expr("c\n  ? 1\n  : 2").unwrap();
        assert!(matches!(e.kind, ExprKind::Ternary(..)));
        let e = parse_expr("a.?b[?0]!.c").unwrap();
        assert!(matches!(e.kind, ExprKind::Member { .. }));
        let e = parse_expr("map(xs, (a, i) => a.x)").unwrap();
        let ExprKind::Call { args, .. } = e.kind else {
            panic!()
        };
        assert!(matches!(args[1].kind, ExprKind::Lambda(ref p, _) if p.len() == 2));
        assert!(matches!(parse_expr("-1").unwrap().kind, ExprKind::Int(-1)));
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = parse("param\n").unwrap_err();
        assert_eq!(e.at, 5);
        assert!(e.message.contains("expected the parameter's name"), "{e:?}");
        let e = parse("var x = {\n  a: 1 b: 2\n}").unwrap_err();
        assert!(e.message.contains("after a property"), "{e:?}");
        assert!(parse("bogus x")
            .unwrap_err()
            .message
            .contains("does not start"));
        let deep = format!("var x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep).unwrap_err().message.contains("too deeply"));
    }

    /// An element type left open at the end of the file (found by the mutation test: the
    /// parser looked for its `]` without end).
    #[test]
    fn an_element_type_open_at_the_end_is_an_error() {
        for text in ["type t = string[*", "param p object[0\n", "type t = x["] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains("expected ']'"), "{text:?}: {e:?}");
        }
    }
}
