//! Intent + plan → Estate: the reference hub-and-spoke architecture, resource by resource.
//!
//! Names follow Microsoft's abbreviations (vnet-, snet-, nsg-, rt-, afw-, afwp-, agw-, waf-,
//! pep-, bas-, vgw-, aks-, cr, kv-). Ids are built, never parsed back, so references between
//! resources are exact.

mod dns;
mod egress;
mod hub;
mod intents;
mod nsg;
mod roles;
mod spoke;

use aksnet_model::{Estate, ResourceId};

use crate::intent::Intent;
use crate::plan::Plan;

pub use aksnet_model::azure::PLACEHOLDER_SUBSCRIPTION;

/// Shared naming and id helpers for one build.
pub(crate) struct Ctx<'a> {
    pub intent: &'a Intent,
    pub plan: &'a Plan,
}

impl<'a> Ctx<'a> {
    pub fn name(&self) -> &str {
        &self.intent.name
    }

    pub fn location(&self) -> &str {
        &self.intent.location
    }

    /// Resolves a subscription name or id; `None` is the placeholder.
    pub fn subscription(&self, key: Option<&str>) -> String {
        match key {
            Some(k) => self
                .intent
                .subscriptions
                .get(k)
                .cloned()
                .unwrap_or_else(|| k.to_string()),
            None => PLACEHOLDER_SUBSCRIPTION.to_string(),
        }
    }

    pub fn hub_subscription(&self) -> String {
        self.subscription(self.intent.hub.subscription.as_deref())
    }

    pub fn hub_rg(&self) -> String {
        format!("rg-{}-hub", self.name())
    }

    /// Id of a hub resource.
    pub fn hub_id(&self, provider_type: &str, name: &str) -> ResourceId {
        ResourceId::resource(
            &self.hub_subscription(),
            &self.hub_rg(),
            provider_type,
            name,
        )
    }

    pub fn hub_vnet_id(&self) -> ResourceId {
        self.hub_id("Microsoft.Network/virtualNetworks", &self.plan.hub.name)
    }
}

/// Builds the estate for a planned intent.
pub fn build(intent: &Intent, plan: &Plan) -> Estate {
    let ctx = Ctx { intent, plan };
    let mut estate = Estate::new(intent.name.as_str());
    estate.on_premises_prefixes = plan.on_premises.clone();
    estate.subscription_names = intent
        .subscriptions
        .iter()
        .map(|(name, id)| (id.to_ascii_lowercase(), name.clone()))
        .collect();
    let appliance_ip = hub::build(&ctx, &mut estate);
    for (i, spoke) in intent.spokes.iter().enumerate() {
        spoke::build(
            &ctx,
            &mut estate,
            spoke,
            &plan.spokes[i],
            appliance_ip.as_deref(),
        );
    }
    if let Some(ip) = appliance_ip {
        hub::gateway_subnet_routes(&ctx, &mut estate, &ip);
        egress::build(&ctx, &mut estate);
        intents::build(&ctx, &mut estate);
    }
    dns::build(&ctx, &mut estate);
    roles::build(&mut estate);
    estate
}
