//! Terraform for azurerm 4.x: every resource of the Estate as the matching `azurerm_*` resource,
//! laid out one file per concern (`versions.tf`, `providers.tf`, `variables.tf`, `hub.tf`,
//! `spoke_<name>.tf`, `firewall.tf`, `dns.tf`, `aks_<name>.tf`, `outputs.tf`).
//!
//! Resources reference each other (`azurerm_subnet.x.id`) whenever both are in the estate, so
//! Terraform orders the deployment; a reference to something outside the estate stays a literal
//! id. Nothing secret is ever written: shared keys, circuit ids and certificates are variables.

mod aks;
mod edge;
mod firewall;
mod names;
mod network;
mod private;

use std::collections::BTreeMap;

use aksnet_model::{Estate, ResourceId};

use crate::hcl::{file, Block, Expr};
use crate::{EmitError, File};
pub(crate) use names::Names;

/// The azurerm provider release whose schema the generated code is checked against
/// (`shared/schemas/azurerm-4.55.0.json`, `crates/aksnet-emit/tests/terraform.rs`).
pub const AZURERM_SCHEMA_VERSION: &str = "4.55.0";

/// The azurerm provider constraint the generated code declares: the release whose schema is
/// checked and its patch releases (which change no schema), no other minor release. `~> 4.0` let
/// Terraform pick 4.0–4.54, which lack arguments the code sets (`rbac_authorization_enabled`
/// on a Key Vault first appeared in 4.42.0: Azure/terraform-azurerm-avm-res-keyvault-vault#254,
/// bisected from the provider docs). Raising it means checking the new schema first.
pub const AZURERM_VERSION: &str = "~> 4.55.0";

/// A variable the user supplies.
#[derive(Clone, Debug)]
pub(crate) struct Variable {
    pub name: String,
    pub description: String,
    pub default: Option<Expr>,
    pub sensitive: bool,
    /// A `validation` block: the condition, and the message when it fails.
    pub validation: Option<(String, String)>,
}

/// What is being generated: the estate, names, and the blocks per file.
pub(crate) struct Tf<'e> {
    pub estate: &'e Estate,
    pub names: Names,
    files: BTreeMap<String, Vec<Block>>,
    variables: BTreeMap<String, Variable>,
    outputs: Vec<Block>,
    /// Locals by name (the suffixes of globally unique names).
    locals: BTreeMap<String, Expr>,
    /// Subscription id (lowercase) → provider alias (`None`: the default provider).
    providers: BTreeMap<String, Option<String>>,
    /// The estate's data plane, compiled once when a generator first asks the engine.
    plane: std::sync::OnceLock<aksnet_engine::DataPlane<'e>>,
}

impl<'e> Tf<'e> {
    /// The estate's data plane (compiled on first use, once per generation).
    pub fn plane(&self) -> &aksnet_engine::DataPlane<'e> {
        self.plane.get_or_init(|| {
            aksnet_engine::DataPlane::compile(self.estate, aksnet_engine::Options::default())
        })
    }

    /// Adds a top-level block to `file`.
    pub fn add(&mut self, file: &str, b: Block) {
        self.files.entry(file.to_string()).or_default().push(b);
    }

    /// Declares a variable (once).
    pub fn variable(&mut self, v: Variable) -> Expr {
        let r = Expr::r(format!("var.{}", v.name));
        self.variables.entry(v.name.clone()).or_insert(v);
        r
    }

    /// Adds an output.
    pub fn output(&mut self, name: &str, description: &str, value: Expr, sensitive: bool) {
        let mut b = Block::new("output", &[name]);
        b.attr("description", Expr::s(description))
            .attr("value", value);
        if sensitive {
            b.attr("sensitive", Expr::Bool(true));
        }
        self.outputs.push(b);
    }

    /// A `resource` block for `id`, with `provider` set when its subscription is not the default.
    pub fn resource(&self, tf_type: &str, id: &ResourceId) -> Block {
        let local = self
            .names
            .local(id)
            .unwrap_or_else(|| names::sanitize(id.name()));
        let mut b = Block::new("resource", &[tf_type, &local]);
        if let Some(alias) = self.provider_alias(id) {
            b.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        b
    }

    /// The local holding the suffix of globally unique names in `id`'s subscription
    /// ([`aksnet_model::naming`]): `var.name_suffix` when given (its default is the intent's
    /// `naming.suffix`), else derived from the subscription variable by the formula the
    /// designer uses. Declares the variable and the local on first use.
    pub fn name_suffix(&mut self, id: &ResourceId) -> String {
        use aksnet_model::naming;
        let alias = self.provider_alias(id);
        let (local, sub_var) = match &alias {
            None => ("name_suffix".to_string(), "subscription_id".to_string()),
            Some(a) => {
                let a = a.replace('-', "_");
                (format!("name_suffix_{a}"), format!("subscription_id_{a}"))
            }
        };
        let explicit = self.estate.unique_names.suffix.clone();
        let var = self.variable(Variable {
            name: "name_suffix".into(),
            description: format!(
                "Ends every globally unique name (container registries, key vaults), so that two deployments of one intent do not collide: 1-{} lowercase letters or digits. Null: derived from each subscription and the estate's name (the first 6 hex digits of SHA-1 over \"<subscription id>/{}\").",
                naming::SUFFIX_LEN,
                self.estate.name
            ),
            default: Some(match explicit {
                Some(s) => Expr::s(s),
                None => Expr::r("null"),
            }),
            sensitive: false,
            validation: Some((
                format!(
                    "var.name_suffix == null || can(regex(\"^[a-z0-9]{{1,{}}}$\", var.name_suffix))",
                    naming::SUFFIX_LEN
                ),
                format!(
                    "The name suffix must be 1-{} lowercase letters or digits (registry names take nothing else).",
                    naming::SUFFIX_LEN
                ),
            )),
        });
        let derived = naming::TERRAFORM_DERIVATION
            .replace("{subscription}", &format!("var.{sub_var}"))
            .replace("{estate}", &self.estate.name);
        self.locals.entry(local.clone()).or_insert_with(|| {
            Expr::r(format!("{} != null ? {} : {derived}", raw(&var), raw(&var)))
        });
        local
    }

    /// The provider alias for a resource's subscription.
    pub fn provider_alias(&self, id: &ResourceId) -> Option<String> {
        let sub = id.subscription()?.to_ascii_lowercase();
        self.providers.get(&sub).cloned().flatten()
    }

    /// `name`, `resource_group_name`, `location` and `tags` of a resource. A globally unique
    /// name is its base and the suffix local of its subscription ([`Tf::name_suffix`]).
    pub fn placement(
        &mut self,
        b: &mut Block,
        id: &ResourceId,
        name: &str,
        location: Option<&str>,
    ) {
        let name = match self.estate.unique_names.bases.get(id) {
            Some(base) => {
                let local = self.name_suffix(id);
                Expr::r(format!("\"{base}${{local.{local}}}\""))
            }
            None => Expr::s(name),
        };
        b.attr("name", name);
        b.attr("resource_group_name", self.names.resource_group_name(id));
        if let Some(l) = location {
            b.attr("location", Expr::s(l));
        }
        b.opt("tags", self.names.tags(id));
    }
}

/// Generates the Terraform configuration of an estate.
pub fn generate(estate: &Estate) -> Result<Vec<File>, EmitError> {
    Ok(render(build(estate)?))
}

/// The resource blocks of the configuration, per file, before rendering (for checks).
pub fn resource_blocks(estate: &Estate) -> Result<Vec<(String, Block)>, EmitError> {
    let tf = build(estate)?;
    Ok(tf
        .files
        .into_iter()
        .flat_map(|(f, blocks)| blocks.into_iter().map(move |b| (f.clone(), b)))
        .collect())
}

fn build(estate: &Estate) -> Result<Tf<'_>, EmitError> {
    let names = Names::index(estate);
    let providers = providers(estate);
    let mut tf = Tf {
        estate,
        names,
        files: BTreeMap::new(),
        variables: BTreeMap::new(),
        outputs: Vec::new(),
        locals: BTreeMap::new(),
        providers,
        plane: std::sync::OnceLock::new(),
    };
    network::emit(&mut tf)?;
    firewall::emit(&mut tf)?;
    edge::emit(&mut tf)?;
    private::emit(&mut tf)?;
    aks::emit(&mut tf)?;
    Ok(tf)
}

/// Subscriptions in id order; the one holding the most resources is the default provider, the
/// others get an alias: the name the intent gives the subscription (`connectivity`), else
/// `sub2`, `sub3`, …
fn providers(estate: &Estate) -> BTreeMap<String, Option<String>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for id in names::all_ids(estate) {
        if let Some(s) = id.subscription() {
            *counts.entry(s.to_ascii_lowercase()).or_default() += 1;
        }
    }
    let default = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(s, _)| s.clone());
    let mut n = 1;
    counts
        .keys()
        .map(|s| {
            if Some(s) == default.as_ref() {
                return (s.clone(), None);
            }
            n += 1;
            let alias = match estate.subscription_names.get(s) {
                Some(name) => name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect(),
                None => format!("sub{n}"),
            };
            (s.clone(), Some(alias))
        })
        .collect()
}

/// The text of a raw expression.
fn raw(e: &Expr) -> &str {
    match e {
        Expr::Raw(s) => s,
        _ => unreachable!("a reference is raw"),
    }
}

/// The comment at the top of each file: what it holds.
fn header(file: &str) -> String {
    let stem = file.trim_end_matches(".tf");
    match stem {
        "providers" => "One azurerm provider per subscription of the estate.".into(),
        "variables" => "What you must or may supply. Secrets and circuit ids have no default.".into(),
        "outputs" => "Values other configurations (and you) need after apply.".into(),
        "locals" => "Values derived from the variables: the suffix of globally unique names.".into(),
        "hub" => "The hub: its resource group, VNet and subnets, route tables, NSGs, public IPs, gateway and Bastion.".into(),
        "firewall" => "Azure Firewall, its policy and rule collection groups: every egress and on-premises ingress path.".into(),
        "dns" => "Private DNS: privatelink zones, the VNets they are linked to, and records no zone group maintains.".into(),
        s if s.starts_with("spoke_") => format!("Spoke `{}`: its resource group, VNet and subnets, route tables, NSGs, ingress, private endpoints and PaaS.", &s[6..]),
        s if s.starts_with("aks_") => format!("AKS cluster `{}`: node pools, and the role assignments it needs before it is created.", &s[4..]),
        s => format!("Resource group `{s}`."),
    }
}

fn render(mut tf: Tf) -> Vec<File> {
    let mut out = Vec::new();
    let mut versions = Block::new("terraform", &[]);
    versions.attr("required_version", Expr::s(">= 1.6"));
    versions.block("required_providers", |p| {
        p.attr(
            "azurerm",
            Expr::Map(vec![
                ("source".into(), Expr::s("hashicorp/azurerm")),
                ("version".into(), Expr::s(AZURERM_VERSION)),
            ]),
        );
    });
    out.push((
        "versions.tf".to_string(),
        file(
            "Generated by aksnet from the estate; edit the intent, not this file.",
            &[versions],
        ),
    ));

    let mut providers = Vec::new();
    let subs: Vec<(String, Option<String>)> = tf
        .providers
        .iter()
        .map(|(s, a)| (s.clone(), a.clone()))
        .collect();
    for (sub, alias) in subs {
        // The placeholder stands for "the intent names no subscription": the user must give
        // one; a zero GUID never reaches generated code.
        let known = sub != aksnet_model::azure::PLACEHOLDER_SUBSCRIPTION;
        let var = tf.variable(Variable {
            name: match &alias {
                None => "subscription_id".into(),
                Some(a) => format!("subscription_id_{}", a.replace('-', "_")),
            },
            description: if known {
                "Subscription to deploy into (the estate's value by default).".into()
            } else {
                "Subscription to deploy into: the intent names none, so this is required.".into()
            },
            default: known.then(|| Expr::s(sub)),
            sensitive: false,
            validation: None,
        });
        let mut p = Block::new("provider", &["azurerm"]);
        if let Some(a) = &alias {
            p.attr("alias", Expr::s(a));
        }
        p.attr("subscription_id", var);
        p.block("features", |_| {});
        providers.push(p);
    }
    providers.extend(tf.files.remove("providers.tf").unwrap_or_default());
    out.push((
        "providers.tf".to_string(),
        file(&header("providers.tf"), &providers),
    ));

    let variables: Vec<Block> = tf
        .variables
        .values()
        .map(|v| {
            let mut b = Block::new("variable", &[&v.name]);
            b.attr("description", Expr::s(&v.description))
                .attr("type", Expr::r("string"));
            if let Some(d) = &v.default {
                b.attr("default", d.clone());
            }
            if v.sensitive {
                b.attr("sensitive", Expr::Bool(true));
            }
            if let Some((condition, message)) = &v.validation {
                b.block("validation", |x| {
                    x.attr("condition", Expr::r(condition.clone()))
                        .attr("error_message", Expr::s(message));
                });
            }
            b
        })
        .collect();
    if !tf.locals.is_empty() {
        let mut b = Block::new("locals", &[]);
        for (name, value) in std::mem::take(&mut tf.locals) {
            b.attr(&name, value);
        }
        out.push(("locals.tf".to_string(), file(&header("locals.tf"), &[b])));
    }
    out.push((
        "variables.tf".to_string(),
        file(&header("variables.tf"), &variables),
    ));
    for (name, blocks) in std::mem::take(&mut tf.files) {
        out.push((name.clone(), file(&header(&name), &blocks)));
    }
    out.push((
        "outputs.tf".to_string(),
        file(&header("outputs.tf"), &tf.outputs),
    ));
    out.sort();
    out
}
