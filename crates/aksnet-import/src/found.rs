//! An import that found nothing is an error, never a silent success.

use std::path::Path;

use crate::raw::Summary;

/// Why an import found nothing to import.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NothingImported {
    /// No `*.json` file among the paths (folders are read one level deep).
    #[error("read no JSON file from {paths}")]
    NoJson {
        /// The paths, as given.
        paths: String,
        /// Extensions of files another importer would read (`tf`, `bicep`, ...), if any.
        other: Vec<String>,
    },
    /// JSON files that held no Azure resource.
    #[error("found no Azure resource in {files} file(s) read from {paths}")]
    NoResource {
        /// The paths, as given.
        paths: String,
        /// How many files were read.
        files: usize,
        /// Whether they were Terraform.
        terraform: bool,
    },
    /// Resources of modelled types were found, and every one was skipped for a problem.
    #[error("imported none of the {skipped} resource(s) found in {paths}: each was skipped for a problem above")]
    AllSkipped {
        /// The paths, as given.
        paths: String,
        /// How many were skipped.
        skipped: usize,
    },
}

impl NothingImported {
    /// How to fix it.
    pub fn hint(&self) -> String {
        match self {
            NothingImported::NoJson { other, .. } if other.iter().any(|x| x.starts_with("bicep")) => format!(
                "found .{} files: aksnet does not read Bicep yet; build it to an ARM template (az bicep build) and import that",
                other.join(", .")
            ),
            NothingImported::NoJson { other, .. } if !other.is_empty() => "found .tfvars files but no .tf: pass the configuration's folder, and the .tfvars with --var-file".to_string(),
            NothingImported::NoJson { .. } => "pass Azure resource JSON files, or folders holding *.json directly inside (az … show/list -o json, REST, Resource Graph, ARM templates)".to_string(),
            NothingImported::NoResource { terraform: true, .. } => "aksnet reads the azurerm and azapi resources of networks, firewalls, private endpoints, DNS and AKS (docs/import.md, \"Terraform\"); the warning above names the types it found".to_string(),
            NothingImported::NoResource { .. } => "a resource has `id`, `type` and `properties`; check that these are exports of Azure resources".to_string(),
            NothingImported::AllSkipped { .. } => "fix the problems reported for each resource".to_string(),
        }
    }
}

/// Extensions of infrastructure-as-code files aksnet does not read (yet), or not on their own.
const OTHER_IAC: &[&str] = &["bicep", "bicepparam", "tfvars"];

/// `Some` when an import read no JSON file, or no resource from the files it read (whatever the
/// errors: with `--keep-going`, an import of only broken files still imported nothing).
pub fn nothing_imported(paths: &[&Path], s: &Summary) -> Option<NothingImported> {
    let named = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if s.files.is_empty() {
        let mut other: Vec<String> = paths
            .iter()
            .flat_map(|p| {
                if p.is_dir() {
                    std::fs::read_dir(p)
                        .map(|d| d.flatten().map(|e| e.path()).collect())
                        .unwrap_or_default()
                } else {
                    vec![p.to_path_buf()]
                }
            })
            .filter_map(|e| Some(e.extension()?.to_str()?.to_string()))
            .filter(|x| OTHER_IAC.contains(&x.as_str()))
            .collect();
        other.sort();
        other.dedup();
        return Some(NothingImported::NoJson {
            paths: named,
            other,
        });
    }
    let imported: usize = s.imported.values().sum();
    let skipped: usize = s.skipped.values().sum();
    let unmodelled: usize = s.skipped_types.values().sum();
    match (imported, skipped, unmodelled) {
        (0, 0, 0) => Some(NothingImported::NoResource {
            paths: named,
            files: s.files.len(),
            terraform: s.files.iter().any(|f| f.ends_with(".tf")),
        }),
        (0, skipped, _) if skipped > 0 => Some(NothingImported::AllSkipped {
            paths: named,
            skipped,
        }),
        _ => None,
    }
}
