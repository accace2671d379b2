//! ES module loading: files compiled as modules, static imports resolved relative to the
//! importing file (`./x.mjs`, `../lib/y.js`, absolute paths). Bare specifiers (packages) are not
//! supported and fail with a clear error naming the importing file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::state::State;

/// Modules by canonical path, and the path of each module by identity hash (the resolve
/// callback only gets the referrer `Module`).
#[derive(Default)]
pub(crate) struct ModuleMap {
    by_path: HashMap<PathBuf, v8::Global<v8::Module>>,
    path_by_hash: HashMap<i32, PathBuf>,
}

pub(crate) fn script_origin<'s>(
    scope: &v8::PinScope<'s, '_>,
    path: &Path,
    is_module: bool,
) -> Option<v8::ScriptOrigin<'s>> {
    let name = v8::String::new(scope, &path.display().to_string())?;
    Some(v8::ScriptOrigin::new(scope, name.into(), 0, 0, false, 0, None, false, false, is_module, None))
}

fn throw_error(scope: &v8::PinScope<'_, '_>, msg: &str) {
    if let Some(m) = v8::String::new(scope, msg) {
        let e = v8::Exception::error(scope, m);
        scope.throw_exception(e);
    }
}

/// Compiles the module at `path` (or returns the cached one). On failure an exception is
/// pending in `scope` (a SyntaxError, or an Error naming the file) and `None` is returned.
pub(crate) fn load_module<'s>(scope: &v8::PinScope<'s, '_>, path: &Path) -> Option<v8::Local<'s, v8::Module>> {
    let state = State::of(scope)?;
    if let Some(g) = state.borrow().modules.by_path.get(path) {
        return Some(v8::Local::new(scope, g));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            throw_error(scope, &format!("cannot load module {}: {e}", path.display()));
            return None;
        }
    };
    let Some(source) = v8::String::new(scope, &text) else {
        throw_error(scope, &format!("module {} is too large", path.display()));
        return None;
    };
    let origin = script_origin(scope, path, true)?;
    let mut source = v8::script_compiler::Source::new(source, Some(&origin));
    let module = v8::script_compiler::compile_module(scope, &mut source)?;
    let mut st = state.borrow_mut();
    st.modules.by_path.insert(path.to_path_buf(), v8::Global::new(scope, module));
    st.modules.path_by_hash.insert(module.get_identity_hash().get(), path.to_path_buf());
    Some(module)
}

/// Resolves `specifier` against the importing file.
fn resolve_path(referrer: &Path, specifier: &str) -> Result<PathBuf, String> {
    let base = referrer.parent().unwrap_or(Path::new("."));
    let spec = specifier.strip_prefix("file://").unwrap_or(specifier);
    let candidate = if spec.starts_with("./") || spec.starts_with("../") {
        base.join(spec)
    } else if Path::new(spec).is_absolute() {
        PathBuf::from(spec)
    } else {
        return Err(format!(
            "cannot import '{specifier}' from {}: only relative ('./x.mjs') or absolute imports are supported. {}",
            referrer.display(),
            crate::errors::NODE_PROGRAM_HINT
        ));
    };
    candidate
        .canonicalize()
        .map_err(|e| format!("cannot import '{specifier}' from {}: {}: {e}", referrer.display(), candidate.display()))
}

/// V8's resolve callback for static imports.
pub(crate) fn resolve_callback<'s>(
    context: v8::Local<'s, v8::Context>,
    specifier: v8::Local<'s, v8::String>,
    _import_attributes: v8::Local<'s, v8::FixedArray>,
    referrer: v8::Local<'s, v8::Module>,
) -> Option<v8::Local<'s, v8::Module>> {
    // SAFETY: V8 calls this during instantiation with a live context on the isolate's thread.
    v8::callback_scope!(unsafe scope, context);
    let spec = specifier.to_rust_string_lossy(scope);
    let state = State::of(scope)?;
    let referrer_path = state.borrow().modules.path_by_hash.get(&referrer.get_identity_hash().get()).cloned();
    let referrer_path = referrer_path.unwrap_or_else(|| PathBuf::from("<unknown>"));
    match resolve_path(&referrer_path, &spec) {
        Ok(path) => load_module(scope, &path),
        Err(msg) => {
            throw_error(scope, &msg);
            None
        }
    }
}
