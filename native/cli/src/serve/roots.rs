//! Which directories `memwatch serve` exposes, and mapping a request path to a file inside them.
//!
//! The legitimate roots, all compared after resolving symbolic links:
//! - BASE form (a `DIR` argument holding `www/index.html`, and every automatically found
//!   location): `/` is `BASE/www` and `/pkg/` is `BASE/pkg`, BASE being the canonical DIR. Each
//!   must be a real directory directly inside BASE (its canonical path is `BASE/www`,
//!   `BASE/pkg`): a link such as `pkg -> /` would expose whatever it points to. A linked `www` is
//!   an error; a linked `pkg` is not served (with a warning).
//! - `www` form (a `DIR` argument that is the viewer directory itself, holding `index.html`): `/`
//!   is DIR. Its sibling `../pkg` lies outside what the user named, so it is served only when DIR
//!   is named `www` and the sibling is memwatch's own package (a `package.json` naming
//!   `memwatch-wasm`), under the rule above with BASE = DIR's parent; otherwise `/pkg/` is 404.
//!
//! Every request path is then resolved ([`resolve`]) and must stay under its root.

use std::path::{Component, Path, PathBuf};

use percent_encoding::percent_decode_str;

use super::shown;
use crate::error::CliError;

/// Name in `pkg/package.json` that marks memwatch's package (see the `www` form above).
const PACKAGE_NAME: &str = "memwatch-wasm";

/// Where the two served trees live on disk (both canonical).
#[derive(Debug, Clone)]
pub struct Roots {
    pub www: PathBuf,
    /// `None` when there is no (acceptable) wasm package: `/pkg/` then answers 404 with a hint.
    pub pkg: Option<PathBuf>,
    /// Why a `pkg` directory that exists is not served, for a warning at start.
    pub pkg_note: Option<String>,
}

/// Resolves the served directories.
///
/// Search order (first match wins; see docs/viewer.md): the `DIR` argument (BASE or `www`
/// form); else, in the BASE form only, the binary's directory and every parent plus
/// `<parent>/share/memwatch` (`target/release/memwatch` finds the repository, an install as
/// `PREFIX/bin` + `PREFIX/share/memwatch` works), then the current directory and its parents.
pub fn locate(dir: Option<&Path>) -> Result<Roots, CliError> {
    if let Some(dir) = dir {
        return named(dir);
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for anc in exe.ancestors().skip(1) {
            candidates.push(anc.to_path_buf());
            candidates.push(anc.join("share").join("memwatch"));
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        candidates.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    candidates.iter().find_map(|c| base_form(&c.canonicalize().ok()?).ok().flatten()).ok_or_else(|| {
        CliError::BadInput(
            "cannot find the viewer (www/index.html) next to the binary or in the current directory; \
             pass the repository directory: memwatch serve DIR"
                .into(),
        )
    })
}

/// The `DIR` argument: BASE form, else `www` form.
fn named(dir: &Path) -> Result<Roots, CliError> {
    let no_viewer = || CliError::in_file(dir, "no viewer here: expected www/index.html or index.html");
    let base = dir.canonicalize().map_err(|_| no_viewer())?;
    if let Some(roots) = base_form(&base).map_err(|why| CliError::in_file(dir, why))? {
        return Ok(roots);
    }
    if base.join("index.html").is_file() {
        return Ok(www_form(base));
    }
    Err(no_viewer())
}

/// `BASE/www/index.html` (BASE canonical): `Ok(None)` when absent, `Err` when `www` is a link.
fn base_form(base: &Path) -> Result<Option<Roots>, String> {
    if !base.join("www").join("index.html").is_file() {
        return Ok(None);
    }
    let Some(www) = inside(base, "www")? else { return Ok(None) };
    let (pkg, pkg_note) = match inside(base, "pkg") {
        Ok(pkg) => (pkg, None),
        Err(why) => (None, Some(format!("{why}; /pkg/ is not served"))),
    };
    Ok(Some(Roots { www, pkg, pkg_note }))
}

/// `BASE/NAME` as a root: `Ok(Some)` for a real directory directly inside BASE (canonical),
/// `Ok(None)` when there is none, `Err` when the name leads elsewhere (a symbolic link).
fn inside(base: &Path, name: &str) -> Result<Option<PathBuf>, String> {
    let path = base.join(name);
    let Ok(real) = path.canonicalize() else { return Ok(None) };
    if real != path {
        return Err(format!(
            "{} is a symbolic link to {}; only directories inside {} are served",
            shown(&path),
            shown(&real),
            shown(base)
        ));
    }
    Ok(real.is_dir().then_some(real))
}

/// DIR (canonical) is the viewer directory itself; see the module docs for its `pkg`.
fn www_form(www: PathBuf) -> Roots {
    let (pkg, pkg_note) = match sibling_pkg(&www) {
        Ok(pkg) => (pkg, None),
        Err(why) => (None, Some(format!("{why}; /pkg/ is not served"))),
    };
    Roots { www, pkg, pkg_note }
}

fn sibling_pkg(www: &Path) -> Result<Option<PathBuf>, String> {
    let Some(parent) = www.parent() else { return Ok(None) };
    if !parent.join("pkg").exists() {
        return Ok(None);
    }
    if www.file_name().is_none_or(|n| n != "www") {
        return Err(format!(
            "{} is not named www, so its sibling ../pkg is not taken for the wasm package",
            shown(www)
        ));
    }
    let Some(pkg) = inside(parent, "pkg")? else { return Ok(None) };
    if !is_memwatch_package(&pkg) {
        return Err(format!("{} is not memwatch's package (no package.json naming {PACKAGE_NAME})", shown(&pkg)));
    }
    Ok(Some(pkg))
}

fn is_memwatch_package(pkg: &Path) -> bool {
    let file = pkg.join("package.json");
    // A package.json is small; anything big is not ours and is not read.
    let small = std::fs::metadata(&file).is_ok_and(|m| m.is_file() && m.len() <= 1 << 20);
    small
        && std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v["name"] == PACKAGE_NAME)
}

/// Maps a request target to a file under one of the roots, or the status to answer with.
pub fn resolve(roots: &Roots, target: &str) -> Result<PathBuf, u16> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode_str(path).decode_utf8().map_err(|_| 400u16)?;
    let mut segments = decoded.split('/').filter(|s| !s.is_empty()).peekable();
    let root = if segments.peek() == Some(&"pkg") {
        segments.next();
        roots.pkg.as_ref().ok_or(404u16)?
    } else {
        &roots.www
    };
    let mut file = root.clone();
    for seg in segments {
        let bad = seg.contains(['\\', '\0'])
            || !matches!(Path::new(seg).components().next(), Some(Component::Normal(_)))
            || Path::new(seg).components().count() != 1;
        if bad {
            return Err(400);
        }
        file.push(seg);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    // Canonicalise last: a symlink inside the tree must not lead outside it (the root is canonical).
    let real = file.canonicalize().map_err(|_| 404u16)?;
    if !real.starts_with(root) || !real.is_file() {
        return Err(404);
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    fn tree() -> (TempDir, Roots) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("www/js")).unwrap();
        std::fs::create_dir_all(p.join("pkg/web")).unwrap();
        std::fs::write(p.join("www/index.html"), "<!doctype html>").unwrap();
        std::fs::write(p.join("www/js/app.js"), "").unwrap();
        std::fs::write(p.join("pkg/package.json"), r#"{"name": "memwatch-wasm"}"#).unwrap();
        std::fs::write(p.join("pkg/web/m_bg.wasm"), b"\0asm").unwrap();
        std::fs::write(p.join("secret.txt"), "no").unwrap();
        let roots = locate(Some(p)).unwrap();
        (d, roots)
    }

    #[test]
    fn serves_index_and_pkg() {
        let (_d, r) = tree();
        assert!(resolve(&r, "/").unwrap().ends_with("www/index.html"));
        assert!(resolve(&r, "/js/app.js?v=1").unwrap().ends_with("www/js/app.js"));
        assert!(resolve(&r, "/pkg/web/m_bg.wasm").unwrap().ends_with("pkg/web/m_bg.wasm"));
        assert!(r.pkg_note.is_none());
    }

    #[test]
    fn www_dir_itself_finds_sibling_pkg() {
        let (d, _) = tree();
        let r = locate(Some(&d.path().join("www"))).unwrap();
        assert!(resolve(&r, "/pkg/web/m_bg.wasm").is_ok());
    }

    #[test]
    fn rejects_traversal() {
        let (_d, r) = tree();
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/js/..%2f..%2fsecret.txt",
            "/pkg/../secret.txt",
            "/pkg/%2e%2e/secret.txt",
            "/js/..\\..\\secret.txt",
            "/%00",
            "/%ff",
        ] {
            assert!(resolve(&r, bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(resolve(&r, "/nope.js").unwrap_err(), 404);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_out_of_tree_is_refused() {
        let (d, r) = tree();
        std::os::unix::fs::symlink(d.path().join("secret.txt"), d.path().join("www/link.txt")).unwrap();
        assert!(resolve(&r, "/link.txt").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn pkg_root_that_is_a_link_is_not_served() {
        let (d, _) = tree();
        std::fs::remove_dir_all(d.path().join("pkg")).unwrap();
        std::os::unix::fs::symlink("/", d.path().join("pkg")).unwrap();
        let r = locate(Some(d.path())).unwrap();
        assert!(r.pkg.is_none());
        assert!(r.pkg_note.as_deref().unwrap().contains("symbolic link"), "{:?}", r.pkg_note);
        assert_eq!(resolve(&r, "/pkg/etc/passwd").unwrap_err(), 404);
    }

    #[cfg(unix)]
    #[test]
    fn www_root_that_is_a_link_is_an_error() {
        let (d, _) = tree();
        let other = tempfile::tempdir().unwrap();
        std::fs::rename(d.path().join("www"), other.path().join("www")).unwrap();
        std::os::unix::fs::symlink(other.path().join("www"), d.path().join("www")).unwrap();
        let e = locate(Some(d.path())).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn sibling_pkg_only_next_to_www_and_only_memwatch_package() {
        let (d, _) = tree();
        // A viewer directory under another name: its sibling pkg is not ours to serve.
        std::fs::rename(d.path().join("www"), d.path().join("site")).unwrap();
        let r = locate(Some(&d.path().join("site"))).unwrap();
        assert!(r.pkg.is_none() && r.pkg_note.is_some());
        assert_eq!(resolve(&r, "/pkg/package.json").unwrap_err(), 404);
        // Named www, but the sibling pkg is some other package.
        std::fs::rename(d.path().join("site"), d.path().join("www")).unwrap();
        std::fs::write(d.path().join("pkg/package.json"), r#"{"name": "other"}"#).unwrap();
        let r = locate(Some(&d.path().join("www"))).unwrap();
        assert!(r.pkg.is_none());
        assert!(r.pkg_note.as_deref().unwrap().contains("not memwatch's package"), "{:?}", r.pkg_note);
    }

    #[test]
    fn missing_viewer_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let e = locate(Some(d.path())).unwrap_err();
        assert!(e.to_string().contains("no viewer here"));
        let e = locate(Some(&d.path().join("absent"))).unwrap_err();
        assert!(e.to_string().contains("no viewer here"));
    }
}
