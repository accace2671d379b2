//! V8's sampling heap profile (`HeapProfiler.getSamplingProfile` over the inspector protocol, and
//! Node's `--heap-prof` `.heapprofile` files): a call tree whose nodes carry the bytes of sampled
//! objects still alive, allocated with that node's stack.
//!
//! The tree is nested JSON (one level per stack frame). serde recurses per level, so the input's
//! nesting depth is checked first with a flat byte scan ([`MAX_DEPTH`]) and only then parsed.

use serde::{Deserialize, Serialize};

/// Deepest JSON nesting accepted (about `MAX_DEPTH / 2` stack frames; V8 records at most 128
/// frames by default). Deeper input is rejected before parsing, so a hostile file cannot
/// overflow the stack.
pub const MAX_DEPTH: usize = 1200;

/// Largest profile accepted (a real profile is a few MB at most).
pub const MAX_BYTES: usize = 256 << 20;

/// One function in a stack, as V8 reports it: 0-based line and column of the function's start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallFrame {
    #[serde(default)]
    pub function_name: String,
    #[serde(default)]
    pub script_id: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub line_number: i64,
    #[serde(default)]
    pub column_number: i64,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileNode {
    pub call_frame: CallFrame,
    /// Bytes of live sampled objects allocated by exactly this stack (V8 scales sample counts
    /// to estimate all allocations, so this is an estimate of live bytes).
    #[serde(default)]
    pub self_size: f64,
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub children: Vec<ProfileNode>,
}

/// One sampled live object: its size, the node (stack) that allocated it, and its ordinal (V8's
/// sample id, unique within one run of the sampler: the same object keeps it in every profile).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSample {
    #[serde(default)]
    pub size: f64,
    #[serde(default)]
    pub node_id: u64,
    /// 0 when the profile has none (ordinals start at 1).
    #[serde(default)]
    pub ordinal: f64,
}

/// A whole profile: the inspector wraps it as `{"profile": {...}}`, files hold it bare.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SamplingProfile {
    pub head: ProfileNode,
    #[serde(default)]
    pub samples: Vec<ProfileSample>,
}

/// Every accepted form in one struct (an untagged enum would lose serde's error position): a
/// bare profile, `{"profile": ...}`, or the whole inspector reply `{"id": N, "result":
/// {"profile": ...}}` (parsed here rather than by the caller, so the depth check covers it).
#[derive(Deserialize)]
struct Wrapped {
    #[serde(default)]
    result: Option<Reply>,
    #[serde(default)]
    profile: Option<SamplingProfile>,
    #[serde(default)]
    head: Option<ProfileNode>,
    #[serde(default)]
    samples: Vec<ProfileSample>,
}

#[derive(Deserialize)]
struct Reply {
    profile: SamplingProfile,
}

/// Why a profile cannot be read; `offset` is the byte position where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sampling heap profile: {message} (at byte {offset})")]
pub struct ProfileError {
    pub offset: u64,
    pub message: String,
}

impl SamplingProfile {
    /// Parses a profile (bare, or the inspector's `{"profile": ...}` reply result).
    pub fn parse(bytes: &[u8]) -> Result<SamplingProfile, ProfileError> {
        if bytes.len() > MAX_BYTES {
            return Err(ProfileError { offset: MAX_BYTES as u64, message: format!("larger than {MAX_BYTES} bytes") });
        }
        check_depth(bytes)?;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        de.disable_recursion_limit();
        let wrapped = <Wrapped as serde::Deserialize>::deserialize(&mut de).map_err(|e| ProfileError {
            offset: line_col_offset(bytes, e.line(), e.column()),
            message: e.to_string(),
        })?;
        de.end().map_err(|e| ProfileError {
            offset: line_col_offset(bytes, e.line(), e.column()),
            message: e.to_string(),
        })?;
        match wrapped {
            Wrapped { result: Some(Reply { profile }), .. } | Wrapped { profile: Some(profile), .. } => Ok(profile),
            Wrapped { head: Some(head), samples, .. } => Ok(SamplingProfile { head, samples }),
            _ => {
                Err(ProfileError { offset: 0, message: "no \"head\" call tree (nor a \"profile\" holding one)".into() })
            }
        }
    }
}

/// Rejects nesting deeper than [`MAX_DEPTH`] with one pass over the bytes (strings skipped).
fn check_depth(bytes: &[u8]) -> Result<(), ProfileError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ProfileError {
                        offset: i as u64,
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// serde_json reports 1-based line/column; turn them into a byte offset for the error.
fn line_col_offset(bytes: &[u8], line: usize, column: usize) -> u64 {
    let mut offset = 0usize;
    for _ in 1..line {
        match bytes[offset..].iter().position(|&b| b == b'\n') {
            Some(p) => offset += p + 1,
            None => break,
        }
    }
    (offset + column.saturating_sub(1)).min(bytes.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bare_and_wrapped() {
        let bare = br#"{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[{"callFrame":{"functionName":"f","scriptId":"3","url":"a.js","lineNumber":4,"columnNumber":2},"selfSize":64,"id":2,"children":[]}]},"samples":[{"size":64,"nodeId":2,"ordinal":1}]}"#;
        let p = SamplingProfile::parse(bare).unwrap();
        assert_eq!(p.head.children[0].call_frame.function_name, "f");
        assert_eq!(p.samples.len(), 1);
        let mut wrapped = b"{\"profile\":".to_vec();
        wrapped.extend_from_slice(bare);
        wrapped.push(b'}');
        assert_eq!(SamplingProfile::parse(&wrapped).unwrap().head.children[0].self_size, 64.0);
    }

    #[test]
    fn inspector_replies_with_deep_stacks_parse() {
        // 300 frames: well past serde_json's default recursion limit of 128 levels.
        let mut node = r#"{"callFrame":{"functionName":"leaf","url":"a.js","lineNumber":1,"columnNumber":1},"selfSize":64,"id":301,"children":[]}"#.to_string();
        for id in (1..=300).rev() {
            node = format!(r#"{{"callFrame":{{"functionName":"f{id}"}},"selfSize":0,"id":{id},"children":[{node}]}}"#);
        }
        let reply = format!(r#"{{"id":3,"result":{{"profile":{{"head":{node},"samples":[]}}}}}}"#);
        let p = SamplingProfile::parse(reply.as_bytes()).unwrap();
        assert_eq!(p.head.call_frame.function_name, "f1");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut deep = Vec::new();
        for _ in 0..100_000 {
            deep.extend_from_slice(b"{\"children\":[");
        }
        let e = SamplingProfile::parse(&deep).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
        assert!(e.offset > 0 && (e.offset as usize) < 13 * MAX_DEPTH, "{e}");
    }

    #[test]
    fn garbage_names_its_position() {
        let e = SamplingProfile::parse(b"{\"head\": 12}").unwrap_err();
        assert!(e.offset > 0 && e.offset <= 12, "{e}");
        assert!(SamplingProfile::parse(b"").is_err());
    }
}
