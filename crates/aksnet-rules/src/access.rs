//! What the cluster identities may do, as findings: the requirements and grants are
//! [`aksnet_model::authorization`]'s; this only words them. A grant the input does not hold is
//! a warning when the input holds role assignments (it states what it grants, and this is not
//! among it), and `unknown` — an info finding with the reason — when it holds none or cannot
//! tell: an assignment made elsewhere (at subscription scope, by `az aks update --attach-acr`)
//! is not in the input.

use aksnet_model::authorization::{requirements, Assignments, Grant, Who};
use aksnet_model::uses::Uses;
use aksnet_model::Estate;

use crate::{Context, Finding, Rule, Severity};

/// The identity a rule asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// The kubelet identity.
    Kubelet,
    /// The Secrets Store CSI driver's identity.
    SecretsProvider,
    /// The cluster's own identity.
    ControlPlane,
}

impl Identity {
    fn is(self, who: &Who) -> bool {
        matches!(
            (self, who),
            (Identity::Kubelet, Who::Kubelet(_))
                | (Identity::SecretsProvider, Who::SecretsProvider(_))
                | (Identity::ControlPlane, Who::ControlPlane(_))
        )
    }
}

/// One finding per requirement of `identity` that the estate does not show granted.
pub(crate) fn findings(rule: &Rule, cx: &Context, identity: Identity) -> Vec<Finding> {
    let e = cx.estate;
    let grants = Assignments::new(e);
    let uses = Uses::new(e);
    let mut out = Vec::new();
    for r in requirements(e)
        .into_iter()
        .filter(|r| r.required && identity.is(&r.who))
    {
        let mc = r.who.cluster();
        let target = &r.target;
        let what = format!(
            "{} needs {} (or a role holding it) on `{}`",
            r.who.describe(),
            r.need.role.name,
            target.name()
        );
        let resources = vec![mc.id.clone(), target.clone()];
        let mut verdict = grants.grant(r.who, target, &r.need);
        if verdict == Grant::Missing && !e.role_assignments.is_empty() {
            verdict =
                other_way(e, &grants, &uses, &r.who, target, &r.need).unwrap_or(Grant::Missing);
        }
        match verdict {
            Grant::Granted(_) => {}
            Grant::Missing if e.role_assignments.is_empty() => out.push(
                Finding::new(
                    rule,
                    format!("{what}: unknown, the input holds no role assignments (export them with `az role assignment list --all`, or grant it in the template)"),
                    resources,
                )
                .at(Severity::Info),
            ),
            Grant::Missing => out.push(Finding::new(
                rule,
                format!("{what}, and no role assignment in the input grants it"),
                resources,
            )),
            Grant::Unknown(why) => out.push(
                Finding::new(rule, format!("{what}: unknown, {why}"), resources)
                    .at(Severity::Info),
            ),
        }
    }
    out
}

/// Another way the workload may get what the identity would give it, which the estate cannot
/// rule out: a registry's admin user (pods pull with its credentials as an `imagePullSecret`);
/// another principal holding the role on the vault (pods may read it as that identity through
/// workload identity, or as one named in their SecretProviderClass).
fn other_way(
    e: &Estate,
    grants: &Assignments,
    uses: &Uses,
    who: &Who,
    target: &aksnet_model::ResourceId,
    need: &aksnet_model::authorization::Need,
) -> Option<Grant> {
    match who {
        Who::Kubelet(mc) => {
            let r = e.container_registries.get(target)?;
            if r.properties.admin_user_enabled {
                Some(Grant::Unknown(
                    "the registry's admin user is enabled, and pods may pull with its credentials as an imagePullSecret"
                        .into(),
                ))
            } else if !uses.linked_to_cluster(mc, target) {
                // Only the resource group ties them: the input does not say the nodes pull
                // from it.
                Some(Grant::Unknown(
                    "the registry shares the cluster's resource group but has no private endpoint in its VNets, so whether the nodes pull from it is not in the input"
                        .into(),
                ))
            } else {
                None
            }
        }
        Who::SecretsProvider(_) => {
            let others = grants.granted_to_others(*who, target, need);
            (!others.is_empty()).then(|| {
                let names: Vec<&str> = others.iter().map(|a| a.name.as_str()).collect();
                Grant::Unknown(format!(
                    "other principals hold it ({}): pods may read the vault as one of them (workload identity, or an identity their SecretProviderClass names)",
                    names.join(", ")
                ))
            })
        }
        Who::ControlPlane(_) => None,
    }
}
