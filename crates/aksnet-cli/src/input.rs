//! Reading what a command analyses: an intent (the one named, `./aksnet.yaml`, or the embedded
//! reference), an `estate.json`, or Azure resource JSON; and the engine options the flags ask for.

use std::path::{Path, PathBuf};

use aksnet_design::{design, Design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::{Diagnostic, Estate};
use aksnet_rules::verify::{Origin, SourceText};
use aksnet_rules::SourceLocation;

use crate::cli::Input;
use crate::Failure;

/// The intent a command reads when none is named: `./aksnet.yaml` when it exists (as
/// `terraform` reads the current directory), else the embedded reference design.
const LOCAL_INTENT: &str = "aksnet.yaml";

/// The largest input file aksnet reads; larger ones are refused while reading. An estate of
/// 100,000 resources is about 150 MB.
const MAX_INPUT: u64 = 512 << 20;

impl Input {
    /// The engine options with the requested switches applied.
    pub fn options(&self) -> Result<Options, Diagnostic> {
        let mut o = Options::default();
        if let Some(path) = &self.settings.service_tags {
            let text = read_text(path)?;
            o.service_tags = aksnet_engine::tags::parse_service_tags(&text).map_err(|e| {
                Diagnostic::error(e.to_string())
                    .in_file(path.display().to_string())
                    .hint("download ServiceTags_Public.json, or run `az network list-service-tags --location REGION`")
            })?;
        }
        for s in &self.settings.switches {
            o.set(s).map_err(|e| {
                Diagnostic::error(e.to_string())
                    .hint("see docs/engine.md for what each switch changes")
            })?;
        }
        Ok(o)
    }

    /// Compiles the estate with the options the flags ask for.
    pub fn plane<'e>(&self, estate: &'e Estate) -> Result<DataPlane<'e>, Diagnostic> {
        Ok(DataPlane::compile(estate, self.options()?))
    }

    /// The estate to analyse: `--azure-json`, `--estate FILE`, or the designed intent.
    pub fn estate(&self) -> Result<Estate, Failure> {
        self.load().map(|(estate, _)| estate)
    }

    /// The estate to analyse with where it came from (for source locations and the intent's
    /// flow intents and suppressions).
    pub fn load(&self) -> Result<(Estate, Origin), Failure> {
        let positional = self.positional();
        let imported = match &positional {
            Positional::Import(p) => Some(*p),
            _ => None,
        };
        if !self.azure_json.is_empty()
            || self.settings.templates.deployments.is_some()
            || imported.is_some()
        {
            return self.import_azure(imported);
        }
        let estate = match positional {
            Positional::Estate(path, text) => Some((path, text)),
            _ => (self.estate.as_deref())
                .map(|path| read_text(path).map(|text| (path, text)))
                .transpose()?,
        };
        if let Some((path, text)) = estate {
            let name = path.display().to_string();
            let estate = Estate::from_json(&text).map_err(|e| {
                Diagnostic::error(e.message)
                    .at_text(&name, e.line as u64, e.column as u64, Some(&text))
                    .hint("pass an estate.json written by `aksnet design`")
            })?;
            return Ok((
                estate,
                Origin::Json {
                    files: vec![SourceText { name, text }],
                    places: Default::default(),
                },
            ));
        }
        let d = load_design(self.intent.as_deref())?;
        let file = self.intent.as_ref().map(|p| p.display().to_string());
        Ok((
            d.estate.clone(),
            Origin::Intent {
                file,
                design: Box::new(d),
            },
        ))
    }

    /// What the positional argument names: an `estate.json` (aksnet's own format, marked by
    /// `aksnetSchema` at its top, read as `--estate` is), something to import (a folder, a
    /// `.tf`, `.bicep`, `.bicepparam` or other `.json` file: `aksnet check infra/`, as
    /// `checkov -d infra/`), or an intent file. A `.json` file is read here, and an estate is
    /// parsed from that text, not read again.
    fn positional(&self) -> Positional<'_> {
        /// The one key that marks aksnet's own format.
        #[derive(serde::Deserialize)]
        struct Marker {
            #[serde(rename = "aksnetSchema")]
            schema: Option<serde::de::IgnoredAny>,
        }
        let Some(p) = self.intent.as_deref() else {
            return Positional::Intent;
        };
        let ext = p
            .extension()
            .map(|x| x.to_string_lossy().to_ascii_lowercase());
        if ext.as_deref() == Some("json") && p.is_file() {
            // A file read_text refuses (too large for an estate, not UTF-8, unreadable) is not
            // an estate: the importer, whose limits and messages are its own, says what is
            // wrong with it.
            let Ok(text) = read_text(p) else {
                return Positional::Import(p);
            };
            let marked = serde_json::from_str::<Marker>(&text).is_ok_and(|m| m.schema.is_some());
            return if marked {
                Positional::Estate(p, text)
            } else {
                Positional::Import(p)
            };
        }
        if p.is_dir() || matches!(ext.as_deref(), Some("tf" | "json" | "bicep" | "bicepparam")) {
            Positional::Import(p)
        } else {
            Positional::Intent
        }
    }

    /// Imports `--azure-json` (or the positional folder or file); the origin holds the files read
    /// (for source locations).
    fn import_azure(&self, positional: Option<&Path>) -> Result<(Estate, Origin), Failure> {
        let mut paths: Vec<&Path> = self.azure_json.iter().map(PathBuf::as_path).collect();
        paths.extend(positional);
        let imp = match &self.settings.templates.deployments {
            Some(file) => {
                paths.push(file);
                aksnet_import::import_deployments(
                    "imported",
                    file,
                    &self.settings.templates.templates(),
                )
            }
            None => aksnet_import::import_paths_with(
                "imported",
                &paths,
                &self.settings.templates.templates(),
            ),
        };
        let errors: Vec<Diagnostic> = imp
            .summary
            .diagnostics
            .iter()
            .filter(|d| d.error)
            .map(|d| {
                let shown = d.diagnostic();
                let hint = shown
                    .hint
                    .clone()
                    .map_or(String::new(), |h| format!("{h}; "));
                shown.hint(format!(
                    "{hint}run `aksnet import` to see everything that was read"
                ))
            })
            .collect();
        if !errors.is_empty() {
            return Err(Failure(errors));
        }
        if let Some(e) = aksnet_import::nothing_imported(&paths, &imp.summary) {
            return Err(nothing(e).into());
        }
        let mut estate = imp.estate;
        estate.on_premises_prefixes = on_premises(&self.settings.on_premises)?;
        let files = imp
            .summary
            .files
            .iter()
            .filter_map(|f| {
                let text = read_text(Path::new(f)).ok()?;
                Some(SourceText {
                    name: f.clone(),
                    text,
                })
            })
            .collect();
        let places = imp
            .summary
            .places
            .into_iter()
            .map(|(id, (file, line, column))| (id, SourceLocation { file, line, column }))
            .collect();
        Ok((estate, Origin::Json { files, places }))
    }
}

/// What the positional argument of a command names ([`Input::positional`]).
enum Positional<'a> {
    /// An `estate.json`, with its text.
    Estate(&'a Path, String),
    /// Something to import.
    Import(&'a Path),
    /// An intent file, or none (`./aksnet.yaml`, else the embedded reference).
    Intent,
}

/// An import that found nothing, as a diagnostic.
pub fn nothing(e: aksnet_import::NothingImported) -> Diagnostic {
    let hint = e.hint();
    Diagnostic::error(e.to_string()).hint(hint)
}

/// Reads a text input: a regular file (devices, FIFOs and directories are refused at once, so
/// `/dev/zero` or a pipe cannot make aksnet read without end) of at most [`MAX_INPUT`] bytes.
pub fn read_text(p: &Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let name = p.display().to_string();
    let cannot = |e: std::io::Error| {
        Diagnostic::error(format!("cannot read {name}: {e}"))
            .hint("check the path, or run `aksnet init` to create a starter intent")
    };
    let meta = std::fs::metadata(p).map_err(cannot)?;
    if !meta.is_file() {
        return Err(
            Diagnostic::error("not a regular file (a directory, device or pipe)")
                .in_file(name)
                .hint("pass a file; aksnet reads inputs whole, so it does not read from devices or pipes"),
        );
    }
    let mut bytes = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(Diagnostic::error(format!("larger than {} MiB", MAX_INPUT >> 20))
            .in_file(name)
            .hint("aksnet reads inputs whole; split the input or check that it is the file you meant"));
    }
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .in_file(name)
        .hint("save the file as UTF-8")
    })
}

/// Parses `--on-premises` prefixes.
pub fn on_premises(list: &[String]) -> Result<Vec<aksnet_net::Prefix>, Diagnostic> {
    list.iter()
        .map(|p| {
            p.parse().map_err(|e| {
                Diagnostic::error(format!("--on-premises: {e}"))
                    .hint("write CIDR prefixes, comma-separated, e.g. 10.0.0.0/8,192.168.0.0/16")
            })
        })
        .collect()
}

/// Reads and designs an intent file: the one named, else `./aksnet.yaml`, else the embedded
/// reference. Says on standard error which design it is, so no one analyses the wrong network
/// unknowingly.
pub fn load_design(path: Option<&Path>) -> Result<Design, Failure> {
    let local = Path::new(LOCAL_INTENT);
    let (name, text) = match path {
        Some(p) => (p.display().to_string(), read_text(p)?),
        None if local.is_file() => (LOCAL_INTENT.to_string(), read_text(local)?),
        None => (REFERENCE_NAME.to_string(), REFERENCE_INTENT.to_string()),
    };
    if path.is_none() {
        let which = if name == REFERENCE_NAME {
            "the embedded reference design (no ./aksnet.yaml; `aksnet init` writes one)".to_string()
        } else {
            format!("./{name}")
        };
        crate::status::note(format!("design: {which}"));
    }
    design(&name, &text).map_err(|e| Failure(e.diagnostics(Some(&text))))
}
