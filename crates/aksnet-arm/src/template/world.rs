//! The resources deployed so far, across every deployment of a run, as Azure would hold them
//! after each step in incremental mode: a resource deployed again replaces what an earlier
//! step put there (a PUT replaces the whole resource).

use std::collections::HashMap;

use serde_json::Value as Json;

/// Where in a template a deployed resource was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The template file.
    pub file: String,
    /// The JSON path of the declaration in it.
    pub path: String,
    /// The copy-loop iterations it came from (`name`, index), outermost first.
    pub copies: Vec<(String, i64)>,
}

impl Origin {
    /// `$.resources[3]` or `$.resources[3] (copy vnets 2)`.
    pub fn describe(&self) -> String {
        let mut s = self.path.clone();
        for (name, i) in &self.copies {
            s.push_str(&format!(" ({name} copy {i})"));
        }
        s
    }
}

/// One deployed resource.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// Its id.
    pub id: String,
    /// The resource as deployed: `id`, `type`, `name`, `properties`... with unknown values as
    /// markers (see [`super::walk::UNKNOWN_KEY`]).
    pub value: Json,
    /// Where it was declared.
    pub origin: Origin,
    /// What is not known about it before deployment, if anything.
    pub doubt: Option<Doubt>,
}

/// What a deployment cannot know about a resource it may create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Doubt {
    /// Its name (its id holds a placeholder name).
    Name(crate::value::Unknown),
    /// Whether it is deployed at all (its `condition`); only its id, type and name are given.
    Condition(crate::value::Unknown),
}

/// The most loop iterations (resource, property, variable and output copies) a run of
/// deployments may expand: loops nest, so 800 per loop could otherwise multiply without end.
pub const MAX_ITERATIONS: u64 = 1_000_000;

/// The resources deployed so far.
#[derive(Debug, Default)]
pub struct World {
    resources: Vec<Deployed>,
    index: HashMap<String, usize>,
    iterations: u64,
    /// Whether the bound was reported.
    pub(crate) exhausted: bool,
}

impl World {
    /// Counts one loop iteration; false once [`MAX_ITERATIONS`] are spent.
    pub fn spend(&mut self) -> bool {
        self.iterations += 1;
        self.iterations <= MAX_ITERATIONS
    }

    /// Deploys a resource: a new id is appended, a known one replaced in place. A resource
    /// whose name is known only at deployment has a placeholder id that says nothing of which
    /// resource it is (each iteration of a module loop gets the same one): it is appended, and
    /// never found by id.
    pub fn put(&mut self, r: Deployed) {
        if matches!(r.doubt, Some(Doubt::Name(_))) {
            self.resources.push(r);
            return;
        }
        let key = r.id.to_ascii_lowercase();
        match self.index.get(&key) {
            Some(&i) => self.resources[i] = r,
            None => {
                self.index.insert(key, self.resources.len());
                self.resources.push(r);
            }
        }
    }

    /// The resource with this id (compared case-insensitively, as ARM compares ids).
    pub fn get(&self, id: &str) -> Option<&Deployed> {
        self.index
            .get(&id.to_ascii_lowercase())
            .map(|&i| &self.resources[i])
    }

    /// A child resource written inside its parent's body (a subnet in its VNet's
    /// `properties.subnets`, a rule in its NSG's `properties.securityRules`), by its own id:
    /// Azure creates such children as resources of their own, so `reference()` to one reads
    /// it. The child's body is as written in the parent (`name`, `properties`).
    pub fn embedded(&self, id: &str) -> Option<&Json> {
        let mut parts = id.trim_end_matches('/').rsplitn(3, '/');
        let (name, kind, parent) = (parts.next()?, parts.next()?, parts.next()?);
        let props = self.get(parent)?.value.get("properties")?.as_object()?;
        let children = props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(kind))?
            .1
            .as_array()?;
        children.iter().find(|c| {
            c.get("name")
                .and_then(Json::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Every resource, in the order first deployed.
    pub fn resources(&self) -> &[Deployed] {
        &self.resources
    }

    /// Takes the resources out.
    pub fn into_resources(self) -> Vec<Deployed> {
        self.resources
    }
}
