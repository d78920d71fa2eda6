//! Several deployments in order, as reference implementations are deployed step by step: a
//! deployments file names each step's template, scope and parameters; later steps update what
//! earlier ones deployed (incremental mode: a resource deployed again is replaced) and read
//! their outputs (`fromOutput: step.output`).
//!
//! ```yaml
//! deployments:
//!   - name: hub
//!     template: networking/hub.json
//!     resourceGroup: rg-hubs
//!     location: eastus2
//!     parametersFile: networking/hub.parameters.json
//!     parameters: { location: eastus2 }
//!   - name: spoke
//!     template: networking/spoke.json
//!     resourceGroup: rg-spokes
//!     parameters:
//!       hubVnetResourceId: { fromOutput: hub.hubVnetId }
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use aksnet_arm::template::{self, Deployment, ScopeKind, World};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::arm::{self, read_json};
use crate::raw::{Diagnostic, Out, Templates};

/// The file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    deployments: Vec<Step>,
}

/// One deployment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Step {
    name: String,
    template: String,
    #[serde(default)]
    subscription: Option<String>,
    #[serde(default)]
    resource_group: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    parameters_file: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, Param>,
}

/// A parameter value, or an earlier step's output.
#[derive(Deserialize)]
#[serde(untagged)]
enum Param {
    /// `{ fromOutput: step.output }`.
    Output {
        #[serde(rename = "fromOutput")]
        from_output: String,
    },
    /// Any value.
    Value(Value),
}

/// Largest deployments file read.
const MAX_BYTES: usize = 1 << 20;

/// Runs the deployments of `file` in order and hands every resource deployed on; `defaults`
/// (the command line's `--subscription`, `--location`...) fill what a step does not say.
pub(crate) fn run(
    file: &Path,
    defaults: &Templates,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) if t.len() <= MAX_BYTES => t,
        Ok(_) => {
            diags.push(Diagnostic::error(
                &name,
                "-",
                "larger than 1 MiB; a deployments file lists steps",
            ));
            return vec![name];
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(&name, "-", &format!("cannot read: {e}"))
                    .with_hint("check the path"),
            );
            return vec![name];
        }
    };
    let options = serde_saphyr::options! { with_snippet: false };
    let parsed: File = match serde_saphyr::from_str_with_options(&text, options) {
        Ok(f) => f,
        Err(e) => {
            use serde_saphyr::MessageFormatter;
            let message = serde_saphyr::DefaultMessageFormatter
                .format_message(&e)
                .into_owned();
            let d = match e.location() {
                Some(l) => Diagnostic::at_position(&name, l.line(), l.column(), &message),
                None => Diagnostic::error(&name, "-", &message),
            };
            diags.push(d.with_hint("a deployments file holds `deployments:`, a list of {name, template, subscription, resourceGroup, location, parametersFile, parameters}; see docs/import.md"));
            return vec![name];
        }
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let world = RefCell::new(World::default());
    let mut outputs: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut files = vec![name.clone()];
    let mut maps = crate::bicep::Maps::default();
    for (i, step) in parsed.deployments.iter().enumerate() {
        let at = format!("$.deployments[{i}]");
        let path = base.join(&step.template);
        let tname = path.display().to_string();
        files.push(tname.clone());
        let read = if crate::bicep::is_bicep(&path) {
            match crate::bicep::compile(&path, diags) {
                Some(c) => {
                    maps.add(&tname, c.map);
                    files.extend(c.files.into_iter().filter(|f| *f != tname));
                    Ok(Value::Object(c.template))
                }
                None => continue,
            }
        } else {
            read_json(&path)
        };
        let template = match read {
            Ok(Value::Object(o)) => o,
            Ok(_) => {
                diags.push(Diagnostic::error(
                    &name,
                    &format!("{at}.template"),
                    &format!("{tname} is not a template (not a JSON object)"),
                ));
                continue;
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        &name,
                        &format!("{at}.template"),
                        &format!("cannot read {tname}: {e}"),
                    )
                    .with_hint("template paths are relative to the deployments file"),
                );
                continue;
            }
        };
        let mut given = Map::new();
        if let Some(pf) = &step.parameters_file {
            let p = base.join(pf);
            if crate::bicep::is_bicepparam(&p) {
                given.extend(crate::bicep::param_values(&p, diags).unwrap_or_default());
                files.push(p.display().to_string());
            } else {
                match read_json(&p)
                    .and_then(|j| template::parameters_file(&j).map_err(|e| e.to_string()))
                {
                    Ok(ps) => given.extend(ps),
                    Err(e) => diags.push(Diagnostic::error(
                        &name,
                        &format!("{at}.parametersFile"),
                        &format!("cannot read the parameters in {}: {e}", p.display()),
                    )),
                }
            }
        }
        for (pname, p) in &step.parameters {
            let v = match p {
                Param::Value(v) => v.clone(),
                Param::Output { from_output } => match output(&outputs, from_output) {
                    Ok(v) => v,
                    Err(e) => {
                        diags.push(Diagnostic::error(&name, &format!("{at}.parameters.{pname}"), &e).with_hint("fromOutput names an earlier step and one of its outputs: step.output"));
                        continue;
                    }
                },
            };
            given.insert(pname.clone(), v);
        }
        let templates = Templates {
            parameters: Vec::new(),
            subscription: step
                .subscription
                .clone()
                .or_else(|| defaults.subscription.clone()),
            tenant: defaults.tenant.clone(),
            resource_group: step
                .resource_group
                .clone()
                .or_else(|| defaults.resource_group.clone()),
            location: step.location.clone().or_else(|| defaults.location.clone()),
            name: Some(step.name.clone()),
            terraform: defaults.terraform.clone(),
        };
        let d = Deployment {
            name: step.name.clone(),
            file: tname,
            template: &template,
            scope: arm::scope(&templates, ScopeKind::of(&template)),
            parameters: given,
        };
        let outcome = template::deploy(&d, &world, &arm::Files);
        maps.notes(outcome.notes, diags);
        outputs.insert(step.name.to_ascii_lowercase(), outcome.outputs);
    }
    arm::hand_on(maps.relocate(world.into_inner()), out, diags);
    files
}

/// `step.output` from the steps run so far.
fn output(
    outputs: &BTreeMap<String, Map<String, Value>>,
    reference: &str,
) -> Result<Value, String> {
    let (step, name) = reference
        .split_once('.')
        .ok_or_else(|| format!("fromOutput `{reference}` is not step.output"))?;
    let outs = outputs
        .get(&step.to_ascii_lowercase())
        .ok_or_else(|| format!("no earlier step is named `{step}`"))?;
    let o = outs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .ok_or_else(|| {
            format!(
                "step `{step}` has no output `{name}` (it has: {})",
                outs.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
    Ok(o.get("value").cloned().unwrap_or(Value::Null))
}
