//! The role assignments each cluster's identities need to run
//! ([`aksnet_model::authorization::requirements`]), made before the cluster exists: each
//! principal is named as a deployment names it (`reference(cluster).identityProfile…`).

use aksnet_model::authorization::{
    assignment_name, deployment_principal, requirements, RoleAssignment,
};
use aksnet_model::{Estate, Maybe, Resource, ResourceId, ResourceType};

pub(super) fn build(estate: &mut Estate) {
    let mut made = Vec::new();
    for r in requirements(estate) {
        let principal = deployment_principal(r.who);
        let key = match &principal {
            Maybe::Known(id) => id.clone(),
            Maybe::Unknown(u) => u.expression.clone(),
        };
        let role = r.need.role;
        let name = assignment_name(&r.assign_at, &role, &key);
        let id = ResourceId::new(format!(
            "{}/providers/{}/{name}",
            r.assign_at,
            RoleAssignment::TYPE
        ));
        let sub = r.assign_at.subscription().unwrap_or_default().to_string();
        made.push(Resource::new(
            id,
            None,
            RoleAssignment {
                role_definition_id: Some(Maybe::Known(format!(
                    "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                    role.id
                ))),
                role_definition_name: None,
                principal_id: principal,
                principal_type: Some("ServicePrincipal".into()),
                scope: Some(r.assign_at.to_string()),
                condition: None,
            },
        ));
    }
    for r in made {
        estate.role_assignments.insert(r);
    }
}
