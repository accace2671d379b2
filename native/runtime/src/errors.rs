//! Formatting JavaScript exceptions the way Node users expect:
//!
//! ```text
//! /path/script.js:3:9
//!     throw new Error('boom');
//!           ^
//! Error: boom
//!     at f (/path/script.js:3:9)
//! ```

/// What `memwatch run` says about a script written for Node (`require`, `import 'node:fs'`, an
/// npm package): it runs plain V8 scripts, and the npm package is the tool for Node programs.
pub(crate) const NODE_PROGRAM_HINT: &str = "`memwatch run` runs plain V8 scripts (ECMAScript with \
console, timers, process.exit and the memwatch global): no require(), no Node modules (node:*), no npm packages. \
For a Node program use the npm package instead: `npm install memwatch-wasm`, then \
`const memwatch = require('memwatch-wasm')` in the program, or record it unchanged with \
`MEMWATCH_OUT=app.ndjson node -r memwatch-wasm/record app.js` and read the file with `memwatch analyze app.ndjson`.";

/// CommonJS names Node defines and plain V8 does not: a ReferenceError for one of them means the
/// script was written for Node.
const NODE_GLOBALS: [&str; 5] = ["require", "module", "exports", "__dirname", "__filename"];

/// The hint when `text` (an exception's stack or string) is "ReferenceError: require is not
/// defined" or the same for another CommonJS name.
fn node_global_hint(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    if first == "SyntaxError: Cannot use import statement outside a module" {
        return Some(format!(
            "\nTo run an ES module, name it .mjs or pass --module (only relative and absolute imports). {NODE_PROGRAM_HINT}"
        ));
    }
    let name = first.strip_prefix("ReferenceError: ")?.strip_suffix(" is not defined")?;
    NODE_GLOBALS.contains(&name).then(|| format!("\n{name} is Node's, not JavaScript's: {NODE_PROGRAM_HINT}"))
}

/// `file:line:col`, the source line with a caret, then the stack (or the value as a string).
pub(crate) fn format_exception<'s>(
    scope: &v8::PinScope<'s, '_>,
    exception: v8::Local<'s, v8::Value>,
    message: Option<v8::Local<'s, v8::Message>>,
) -> String {
    let mut out = String::new();
    let message = message.or_else(|| Some(v8::Exception::create_message(scope, exception)));
    if let Some(m) = message {
        let file = m
            .get_script_resource_name(scope)
            .filter(|v| !v.is_undefined())
            .map(|v| v.to_rust_string_lossy(scope))
            .unwrap_or_else(|| "<unknown>".into());
        let line = m.get_line_number(scope).unwrap_or(0);
        let col = m.get_start_column();
        if line == 0 || file == "<unknown>" {
            // An exception raised by the runtime itself (e.g. a failed import) carries no
            // location; its message names the file.
            return exception_text(scope, exception);
        }
        out.push_str(&format!("{file}:{line}:{}\n", col + 1));
        if let Some(src) = m.get_source_line(scope) {
            let src = src.to_rust_string_lossy(scope);
            if !src.is_empty() && src.len() < 400 {
                let end = m.get_end_column().max(col + 1);
                out.push_str(&src);
                out.push('\n');
                out.push_str(&" ".repeat(col));
                out.push_str(&"^".repeat((end - col).min(80)));
                out.push('\n');
            }
        }
    }
    let text = exception_text(scope, exception);
    out.push_str(&text);
    if let Some(hint) = node_global_hint(&text) {
        out.push_str(&hint);
    }
    out
}

/// The exception's `stack` when it has one, else its string form.
pub(crate) fn exception_text<'s>(scope: &v8::PinScope<'s, '_>, exception: v8::Local<'s, v8::Value>) -> String {
    if let Ok(obj) = v8::Local::<v8::Object>::try_from(exception) {
        if let Some(key) = v8::String::new(scope, "stack") {
            if let Some(stack) = obj.get(scope, key.into()) {
                if stack.is_string() {
                    return stack.to_rust_string_lossy(scope);
                }
            }
        }
    }
    exception.to_rust_string_lossy(scope)
}

/// An unhandled rejection: an Error-like reason (an object with its own `stack`, Node's test)
/// reads like an uncaught exception; any other reason gets Node's UnhandledPromiseRejection text
/// (`Promise.reject(undefined)` must not read "rejection at undefined").
pub(crate) fn format_rejection<'s>(scope: &v8::PinScope<'s, '_>, reason: v8::Local<'s, v8::Value>) -> String {
    let error_like = v8::Local::<v8::Object>::try_from(reason).ok().is_some_and(|o| {
        v8::String::new(scope, "stack").is_some_and(|k| o.has_own_property(scope, k.into()).unwrap_or(false))
    });
    if error_like {
        return format!("unhandled promise rejection at {}", format_exception(scope, reason, None));
    }
    format!(
        "unhandled promise rejection: UnhandledPromiseRejection: This error originated either by throwing inside of an \
         async function without a catch block, or by rejecting a promise which was not handled with .catch(). The \
         promise rejected with the reason \"{}\". {{\n  code: 'ERR_UNHANDLED_REJECTION'\n}}",
        no_side_effects_string(scope, reason)
    )
}

/// The reason as Node's message shows it, without running any of the script's code (no
/// `toString` or getters): primitives as strings, objects as `#<Constructor>`.
fn no_side_effects_string<'s>(scope: &v8::PinScope<'s, '_>, value: v8::Local<'s, v8::Value>) -> String {
    if let Ok(sym) = v8::Local::<v8::Symbol>::try_from(value) {
        let desc = sym.description(scope);
        let desc = if desc.is_undefined() { String::new() } else { desc.to_rust_string_lossy(scope) };
        return format!("Symbol({desc})");
    }
    if value.is_array() {
        return "[object Array]".into();
    }
    if value.is_function() {
        return "[object Function]".into();
    }
    if let Ok(obj) = v8::Local::<v8::Object>::try_from(value) {
        return format!("#<{}>", obj.get_constructor_name().to_rust_string_lossy(scope));
    }
    // Undefined, null, booleans, numbers, bigints and strings convert without calling JS.
    value.to_rust_string_lossy(scope)
}

/// Node's "Detected unsettled top-level await" warning for one stalled `await`.
pub(crate) fn stalled_await_warning<'s>(scope: &v8::PinScope<'s, '_>, m: v8::Local<'s, v8::Message>) -> String {
    let file = m
        .get_script_resource_name(scope)
        .filter(|v| !v.is_undefined())
        .map(|v| v.to_rust_string_lossy(scope))
        .unwrap_or_else(|| "<unknown>".into());
    let line = m.get_line_number(scope).unwrap_or(0);
    let mut out = format!("Warning: Detected unsettled top-level await at {file}:{line}\n");
    if let Some(src) = m.get_source_line(scope) {
        let src = src.to_rust_string_lossy(scope);
        if !src.is_empty() && src.len() < 400 {
            let col = m.get_start_column();
            out.push_str(&format!("{src}\n{}^\n", " ".repeat(col)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::node_global_hint;

    #[test]
    fn commonjs_reference_errors_get_the_hint_and_others_do_not() {
        let hint = node_global_hint("ReferenceError: require is not defined\n    at /a.js:1:1").expect("hint");
        assert!(hint.contains("require is Node's") && hint.contains("memwatch-wasm"), "{hint}");
        assert!(node_global_hint("ReferenceError: __dirname is not defined").is_some());
        assert!(node_global_hint("ReferenceError: requirex is not defined").is_none());
        assert!(node_global_hint("Error: require is not defined").is_none());
        let hint = node_global_hint("SyntaxError: Cannot use import statement outside a module").expect("hint");
        assert!(hint.contains("--module") && hint.contains("memwatch-wasm"), "{hint}");
    }
}
