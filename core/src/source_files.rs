//! How a script's name prints in a location (`file:line:col`): one rule for the closures on
//! retainer paths (`retainers::sources`) and for allocation sites (`alloc::sites`).
//!
//! Application scripts (absolute paths, `file://` URLs) print relative to the common directory
//! of the scripts being shown (`server.js`, `lib/cache.js`); any other name (`node:internal/...`,
//! `evalmachine.<anonymous>`, an embedder's `memwatch:demo/leaky-app.js`) prints whole.

/// The file path of an application script (`/srv/app/server.js`, `file:///srv/app/server.js`,
/// `C:\app\server.js`); `None` for runtime and embedder script names.
pub fn app_path(name: &str) -> Option<&str> {
    let p = name.strip_prefix("file://").unwrap_or(name);
    (p.starts_with('/') || p.get(1..3) == Some(":\\")).then_some(p)
}

/// The longest directory prefix (ending in a separator) shared by all paths.
pub fn common_root<'a>(paths: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut root: Option<&str> = None;
    for p in paths {
        let dir = &p[..p.rfind(['/', '\\']).map_or(0, |i| i + 1)];
        root = Some(match root {
            None => dir,
            Some(r) => {
                let common = r.bytes().zip(dir.bytes()).take_while(|(a, b)| a == b).count();
                let cut = r[..common].rfind(['/', '\\']).map_or(0, |i| i + 1);
                &r[..cut]
            }
        });
    }
    root.filter(|r| !r.is_empty()).map(str::to_string)
}

/// `name` as it prints among scripts whose application paths share `root`.
pub fn shown<'a>(name: &'a str, root: Option<&str>) -> &'a str {
    match (app_path(name), root) {
        (Some(p), Some(r)) => p.strip_prefix(r).unwrap_or(p),
        _ => name,
    }
}

/// `name` printed on its own: an application path by its file name (its directory is the
/// common root of one script), any other name whole.
pub fn shown_alone(name: &str) -> &str {
    match app_path(name) {
        Some(p) => shown(name, common_root(std::iter::once(p)).as_deref()),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_root_is_a_whole_directory() {
        let r = common_root(["/srv/app/server.js", "/srv/app/lib/cache.js", "/srv/apple.js"].into_iter());
        assert_eq!(r.as_deref(), Some("/srv/"));
        assert_eq!(common_root(["/srv/app/server.js"].into_iter()).as_deref(), Some("/srv/app/"));
        assert_eq!(app_path("node:internal/timers"), None);
        assert_eq!(app_path("file:///srv/a.js"), Some("/srv/a.js"));
    }

    #[test]
    fn names_print_relative_to_the_root_or_whole() {
        assert_eq!(shown("/srv/app/lib/cache.js", Some("/srv/app/")), "lib/cache.js");
        assert_eq!(shown("file:///srv/app/server.js", Some("/srv/app/")), "server.js");
        assert_eq!(shown("node:internal/timers", Some("/srv/app/")), "node:internal/timers");
        assert_eq!(shown_alone("/srv/app/lib/cache.js"), "cache.js");
        assert_eq!(shown_alone("C:\\app\\server.js"), "server.js");
        assert_eq!(shown_alone("memwatch:demo/leaky-app.js"), "memwatch:demo/leaky-app.js");
        assert_eq!(shown_alone("node:internal/timers"), "node:internal/timers");
        assert_eq!(shown_alone(""), "");
    }
}
