//! Resource names, ids and scopes as Bicep compiles them: a child's name is its parent's
//! name, `/`, and its own; its id is `resourceId` of its type and each name segment, at the
//! scope its `scope:` names (another resource group or subscription, the tenant, or another
//! resource for an extension resource).

use serde_json::Value as Json;

use super::expr::{q, Env, Fail, Ref};
use super::{Module, TargetScope, Unit};
use crate::syntax::ast::*;

impl Unit<'_> {
    /// The names a loop's item and index stand for at iteration `idx` (ARM text).
    pub(crate) fn loop_env(&self, f: &For, idx: &str) -> Result<Env, Fail> {
        let iter = self.ex(&f.iter, &Env::default())?;
        let mut e = Env::default().bind(&f.item, format!("{iter}[{idx}]"));
        if let Some(i) = &f.index {
            e = e.bind(i, idx.to_string());
        }
        Ok(e)
    }

    /// The scope of one instance of resource `key` (`idx` into its loop; its own iteration
    /// when `None`).
    pub(crate) fn instance_env(
        &self,
        looped: Option<&For>,
        idx: Option<&str>,
    ) -> Result<Env, Fail> {
        match looped {
            Some(f) => self.loop_env(f, idx.unwrap_or("copyIndex()")),
            None => Ok(Env::default()),
        }
    }

    fn prop<'p>(props: Option<&'p [Prop]>, name: &str) -> Option<&'p Expr> {
        props?.iter().find_map(|p| match p {
            Prop::Pair { key, value, .. } if super::literal_key(key).as_deref() == Some(name) => {
                Some(value)
            }
            _ => None,
        })
    }

    /// A resource's own name (the last segment), as ARM text.
    pub(crate) fn own_name(&self, key: &str, idx: Option<&str>) -> Result<String, Fail> {
        let r = &self.resources[key];
        let env = self.instance_env(r.looped, idx)?;
        match Self::prop(r.object, "name") {
            Some(n) => self.ex(n, &env),
            None => Err(Fail {
                at: r.decl.at,
                message: format!("the resource '{}' has no name", r.sym),
                unknown: false,
            }),
        }
    }

    /// A resource's full name (`vnet/subnet` for a child), as ARM text.
    pub(crate) fn full_name(&self, key: &str, idx: Option<&str>) -> Result<String, Fail> {
        let own = self.own_name(key, idx)?;
        let r = &self.resources[key];
        match &r.parent {
            Some((pk, pidx)) => {
                let env = self.instance_env(r.looped, idx)?;
                let pi = pidx.map(|e| self.ex(e, &env)).transpose()?;
                let parent = self.full_name(self.parent_key(pk, r.decl.at)?, pi.as_deref())?;
                Ok(format!("format('{{0}}/{{1}}', {parent}, {own})"))
            }
            None => Ok(own),
        }
    }

    fn parent_key<'k>(&self, pk: &'k str, at: usize) -> Result<&'k str, Fail> {
        if self.resources.contains_key(pk) {
            Ok(pk)
        } else {
            Err(Fail {
                at,
                message: format!("the parent '{pk}' is not a resource of this file"),
                unknown: false,
            })
        }
    }

    /// The name segments of a resource's id, one per type segment after the namespace.
    fn segments(&self, key: &str, idx: Option<&str>) -> Result<Vec<String>, Fail> {
        let r = &self.resources[key];
        let own = self.own_name(key, idx)?;
        if let Some((pk, pidx)) = &r.parent {
            let env = self.instance_env(r.looped, idx)?;
            let pi = pidx.map(|e| self.ex(e, &env)).transpose()?;
            let mut s = self.segments(self.parent_key(pk, r.decl.at)?, pi.as_deref())?;
            s.push(own);
            return Ok(s);
        }
        let depth = r.ty.split('/').count().saturating_sub(1).max(1);
        if depth == 1 {
            return Ok(vec![own]);
        }
        if let Some(ExprKind::Str { pieces, holes }) = Self::prop(r.object, "name").map(|n| &n.kind)
        {
            if holes.is_empty() && pieces[0].split('/').count() == depth {
                return Ok(pieces[0].split('/').map(q).collect());
            }
        }
        Ok((0..depth)
            .map(|i| format!("split({own}, '/')[{i}]"))
            .collect())
    }

    /// A resource's id, as ARM text.
    pub(crate) fn id_expr(&self, key: &str, idx: Option<&str>) -> Result<String, Fail> {
        let r = &self.resources[key];
        let mut args = vec![q(&r.ty)];
        args.extend(self.segments(key, idx)?);
        let args = args.join(", ");
        let env = self.instance_env(r.looped, idx)?;
        // A child is where its parent is.
        let mut scope = r.scope;
        let mut k = key;
        while scope.is_none() {
            match &self.resources[k].parent {
                Some((pk, _)) if self.resources.contains_key(pk) => {
                    k = pk;
                    scope = self.resources[k].scope;
                }
                _ => break,
            }
        }
        let Some(scope) = scope else {
            return Ok(match self.scope {
                TargetScope::ResourceGroup => format!("resourceId({args})"),
                TargetScope::Subscription => format!("subscriptionResourceId({args})"),
                _ => format!("tenantResourceId({args})"),
            });
        };
        if let ExprKind::Call {
            ns,
            name,
            args: sargs,
        } = &scope.kind
        {
            if matches!(ns.as_deref(), None | Some("az")) {
                let a: Result<Vec<_>, _> = sargs.iter().map(|x| self.ex(x, &env)).collect();
                let mut a = a?;
                match name.as_str() {
                    "resourceGroup" => {
                        a.push(args);
                        return Ok(format!("resourceId({})", a.join(", ")));
                    }
                    "subscription" => {
                        a.push(args);
                        return Ok(format!("subscriptionResourceId({})", a.join(", ")));
                    }
                    "tenant" | "managementGroup" => return Ok(format!("tenantResourceId({args})")),
                    _ => {}
                }
            }
        }
        match self.resolve_ref(scope, &env)? {
            Some(Ref::Res(sk, sidx)) if self.resources[&sk].ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") => {
                Ok(format!("resourceId({}, {args})", self.own_name(&sk, sidx.as_deref())?))
            }
            Some(Ref::Res(sk, sidx)) => Ok(format!(
                "extensionResourceId({}, {args})",
                self.id_expr(&sk, sidx.as_deref())?
            )),
            _ => Err(Fail {
                at: scope.at,
                message: "scope: must be resourceGroup(...), subscription(...), tenant(), managementGroup(...) or a resource".into(),
                unknown: false,
            }),
        }
    }

    /// The keys that place a declaration at `scope` in the template: `resourceGroup`,
    /// `subscriptionId`, or `scope` (an extension resource's target id).
    pub(crate) fn scope_keys(&self, scope: &Expr, env: &Env, path: &str) -> Vec<(String, Json)> {
        let s = |t: Result<String, Fail>| match t {
            Ok(t) => Json::String(format!("[{t}]")),
            Err(f) => self.fail(&f),
        };
        if let ExprKind::Call { ns, name, args } = &scope.kind {
            if matches!(ns.as_deref(), None | Some("az")) {
                let a = |i: usize| s(self.ex(&args[i], env));
                match (name.as_str(), args.len()) {
                    ("resourceGroup" | "subscription", 0) => return Vec::new(),
                    ("resourceGroup", 1) => return vec![("resourceGroup".into(), a(0))],
                    ("resourceGroup", 2) => {
                        return vec![
                            ("subscriptionId".into(), a(0)),
                            ("resourceGroup".into(), a(1)),
                        ]
                    }
                    ("subscription", 1) => return vec![("subscriptionId".into(), a(0))],
                    ("tenant", 0) => return vec![("scope".into(), Json::String("/".into()))],
                    ("managementGroup", 1) => {
                        return vec![(
                            "scope".into(),
                            s(self.ex(&args[0], env).map(|m| {
                                format!(
                                "tenantResourceId('Microsoft.Management/managementGroups', {m})"
                            )
                            })),
                        )]
                    }
                    _ => {}
                }
            }
        }
        match self.resolve_ref(scope, env) {
            Ok(Some(Ref::Res(k, idx)))
                if self.resources[&k]
                    .ty
                    .eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") =>
            {
                let mut out = vec![("resourceGroup".into(), s(self.own_name(&k, idx.as_deref())))];
                if let Some(rs) = self.resources[&k].scope {
                    if let ExprKind::Call { name, args, .. } = &rs.kind {
                        if name == "subscription" && args.len() == 1 {
                            out.push(("subscriptionId".into(), s(self.ex(&args[0], env))));
                        }
                    }
                }
                out
            }
            Ok(Some(Ref::Res(k, idx))) => {
                vec![("scope".into(), s(self.id_expr(&k, idx.as_deref())))]
            }
            Ok(_) => {
                self.error(scope.at, &format!("{path}: scope must be resourceGroup(...), subscription(...), tenant(), managementGroup(...) or a resource"));
                Vec::new()
            }
            Err(f) => {
                self.fail(&f);
                Vec::new()
            }
        }
    }

    /// A module's deployment name (its `name:`, or one made from its symbolic name).
    pub(crate) fn module_name(&self, m: &Module, idx: Option<&str>) -> Result<String, Fail> {
        let env = self.instance_env(m.looped, idx)?;
        match Self::prop(m.object, "name") {
            Some(n) => self.ex(n, &env),
            // Bicep's name for a module without one (ExpressionFactory in the Bicep compiler).
            None => {
                let unique = format!("uniqueString({}, deployment().name)", q(&m.sym));
                Ok(match (m.looped, idx) {
                    (Some(_), i) => format!(
                        "format({}, {}, {unique})",
                        q(&format!("{}-{{0}}-{{1}}", m.sym)),
                        i.unwrap_or("copyIndex()")
                    ),
                    (None, _) => format!("format({}, {unique})", q(&format!("{}-{{0}}", m.sym))),
                })
            }
        }
    }
}
