//! `aksnet diagram` and the HTML report, end to end — including rendering the report in a real
//! browser (Debian's Chromium, headless, offline) and checking the screenshot.

mod common;

use common::{aksnet, out};

use std::path::PathBuf;
use std::process::Command;

#[test]
fn diagram_formats() {
    let dir = tempfile::tempdir().unwrap();
    let svg = aksnet(dir.path(), &["diagram"]);
    assert_eq!(svg.status.code(), Some(0));
    assert!(out(&svg).starts_with("<svg ") && out(&svg).contains("vnet-aks-prod"));
    // The reference's flows, as the engine finds them: one arrow per kind.
    for colour in ["#1f6feb", "#d4750b", "#2da44e", "#8250df", "#0c8a8a"] {
        assert!(
            out(&svg).contains(&format!("stroke=\"{colour}\" stroke-width=\"2.2\"")),
            "{colour}"
        );
    }
    let dot = aksnet(dir.path(), &["diagram", "--format", "dot"]);
    assert!(out(&dot).starts_with("digraph aksnet {"));
    let mmd = aksnet(
        dir.path(),
        &["diagram", "--format", "mermaid", "--out", "d.mmd"],
    );
    assert_eq!(mmd.status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.path().join("d.mmd"))
        .unwrap()
        .starts_with("flowchart LR"));
}

#[test]
fn html_report_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let o = aksnet(dir.path(), &["design", "--out", "d"]);
    assert_eq!(o.status.code(), Some(0));
    let html = std::fs::read_to_string(dir.path().join("d/report.html")).unwrap();
    for section in [
        "Architecture",
        "Address plan",
        "Findings",
        "Flow matrix",
        "Generated files",
        "<svg ",
        "snet-user",
    ] {
        assert!(html.contains(section), "{section}");
    }
    for fetch in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
    ] {
        assert!(!html.contains(fetch), "the report fetches nothing: {fetch}");
    }
    assert!(dir.path().join("d/diagram.svg").is_file());
    let again = aksnet(dir.path(), &["check", "--format", "html"]);
    assert!(out(&again).starts_with("<!DOCTYPE html>"));
}

fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() && std::env::var_os("CI").is_some() {
        panic!("Chromium is required in CI (.ci/run installs Debian's chromium)");
    }
    found
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    (png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR").then(
        || {
            let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
            let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
            (w, h)
        },
    )
}

#[test]
#[cfg_attr(
    aksnet_no_chromium,
    ignore = "needs chromium on PATH (.ci/run installs it)"
)]
fn the_report_renders_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no Chromium (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let o = aksnet(dir.path(), &["design", "--out", "d"]);
    assert_eq!(o.status.code(), Some(0));
    let page = dir.path().join("d/report.html");
    let shot = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1600",
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("chromium runs");
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&status.stderr)));
    assert_eq!(png_size(&png), Some((1400, 1600)));
    // A blank page compresses to a few kilobytes; the report (text, tables, diagram) does not.
    assert!(
        png.len() > 60_000,
        "the screenshot looks blank ({} bytes)",
        png.len()
    );
}
