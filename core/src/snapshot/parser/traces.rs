//! The allocation traces: `"trace_function_infos"` and `"trace_tree"` (see
//! [`crate::snapshot::AllocationTraces`]).
//!
//! Both are read by the field names of the header's `meta.trace_function_info_fields` (V8:
//! function_id, name, script_name, script_id, line, column) and `meta.trace_node_fields` (V8: id,
//! function_info_index, count, size, children); a snapshot whose header does not name the fields
//! we need has these values skipped. The tree is nested arrays (`[id, fn, count, size,
//! [children...], ...]`) as deep as the deepest allocation stack: it is scanned with an explicit
//! stack of open lists, never by recursion, and at most [`MAX_DEPTH`] lists deep.

use super::error::{fail, show_byte, Fail};
use super::meta::Layout;
use super::numbers::{IntSink, St, MAX_FIELDS};
use crate::snapshot::{TraceFunction, TraceNode, NO_PARENT};

/// Deepest allocation stack accepted (V8's own stack limit keeps real ones in the low thousands).
pub(crate) const MAX_DEPTH: usize = 100_000;

pub(crate) struct FunctionSink {
    fields: usize,
    /// Positions of name, script_name, script_id, line, column in a record.
    pos: [usize; 5],
    pub functions: Vec<TraceFunction>,
    /// Largest string index used (for the strings' range check and what they keep).
    pub max_string: u32,
    pub values: u64,
}

impl FunctionSink {
    /// `None` when the header does not describe the records (the caller skips the value).
    pub fn new(layout: &Layout) -> Option<FunctionSink> {
        let f = &layout.trace_function_info_fields;
        let at = |name: &str| f.iter().position(|x| x == name);
        let pos = [at("name")?, at("script_name")?, at("script_id")?, at("line")?, at("column")?];
        if f.len() > MAX_FIELDS {
            return None;
        }
        Some(FunctionSink { fields: f.len(), pos, functions: Vec::new(), max_string: 0, values: 0 })
    }
}

fn to_u32(v: u64, what: &str) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("{what} {v} does not fit in 32 bits"))
}

impl IntSink for FunctionSink {
    fn fields(&self) -> usize {
        self.fields
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        let [n, s, id, l, c] = self.pos;
        let f = TraceFunction {
            name: to_u32(rec[n], "trace function name index")?,
            script_name: to_u32(rec[s], "trace function script name index")?,
            script_id: to_u32(rec[id], "trace function script id")?,
            line: to_u32(rec[l], "trace function line")?,
            column: to_u32(rec[c], "trace function column")?,
        };
        if self.functions.len() as u64 >= u64::from(u32::MAX) {
            return Err("more than 2^32 trace functions".into());
        }
        self.functions.try_reserve(1).map_err(|_| "out of memory reading trace_function_infos".to_string())?;
        self.max_string = self.max_string.max(f.name).max(f.script_name);
        self.functions.push(f);
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}

/// One open list of tree nodes: whose children they are, and where in its current record we are.
#[derive(Clone, Copy)]
struct List {
    parent: u32,
    /// Index of the next field of the current record (0: a new record starts).
    field: usize,
    /// The tree node of the current record.
    node: u32,
}

pub(crate) struct TreeScanner {
    st: St,
    cur: u64,
    fields: usize,
    /// Positions of id, function_info_index, children in a record.
    pos: [usize; 3],
    lists: Vec<List>,
    pub nodes: Vec<TraceNode>,
}

impl TreeScanner {
    /// `None` when the header does not describe the records (the caller skips the value).
    pub fn new(layout: &Layout) -> Option<TreeScanner> {
        let f = &layout.trace_node_fields;
        let at = |name: &str| f.iter().position(|x| x == name);
        let pos = [at("id")?, at("function_info_index")?, at("children")?];
        if f.len() > MAX_FIELDS {
            return None;
        }
        Some(TreeScanner { st: St::Open, cur: 0, fields: f.len(), pos, lists: Vec::new(), nodes: Vec::new() })
    }

    /// A value (number or list) starts in the innermost open list: a new record begins at its
    /// first field.
    fn start_value(&mut self, at: usize) -> Result<(), Fail> {
        let Some(list) = self.lists.last_mut() else { return Ok(()) };
        if list.field == 0 {
            if self.nodes.len() as u64 >= u64::from(u32::MAX) {
                return fail(at, "the \"trace_tree\" holds more than 2^32 nodes");
            }
            if self.nodes.try_reserve(1).is_err() {
                return fail(at, format!("out of memory reading the \"trace_tree\" ({} nodes)", self.nodes.len()));
            }
            list.node = self.nodes.len() as u32;
            self.nodes.push(TraceNode { id: 0, function: 0, parent: list.parent });
        }
        Ok(())
    }

    fn number(&mut self, at: usize, v: u64) -> Result<(), Fail> {
        let Some(list) = self.lists.last_mut() else {
            return fail(at, "expected '[' (the \"trace_tree\" is a list)");
        };
        let f = list.field;
        if f == self.pos[0] || f == self.pos[1] {
            let Ok(v) = u32::try_from(v) else {
                return fail(at, format!("trace_tree value {v} does not fit in 32 bits"));
            };
            let node = &mut self.nodes[list.node as usize];
            if f == self.pos[0] {
                node.id = v;
            } else {
                node.function = v;
            }
        }
        list.field = (f + 1) % self.fields;
        Ok(())
    }

    fn open(&mut self, at: usize) -> Result<(), Fail> {
        let parent = match self.lists.last() {
            None => NO_PARENT,
            Some(list) if list.field == self.pos[2] => list.node,
            Some(_) => return fail(at, "expected a number (a trace_tree node field) but found '['"),
        };
        if self.lists.len() >= MAX_DEPTH {
            return fail(at, format!("the \"trace_tree\" is nested more than {MAX_DEPTH} levels deep"));
        }
        self.lists.push(List { parent, field: 0, node: 0 });
        Ok(())
    }

    /// Closes the innermost list; `true` when it was the outer one.
    fn close(&mut self, at: usize) -> Result<bool, Fail> {
        match self.lists.pop() {
            Some(list) if list.field != 0 => fail(
                at,
                format!(
                    "a trace_tree node has {} of the {} fields of snapshot.meta.trace_node_fields",
                    list.field, self.fields
                ),
            ),
            Some(_) => match self.lists.last_mut() {
                None => Ok(true),
                Some(up) => {
                    up.field = (up.field + 1) % self.fields;
                    Ok(false)
                }
            },
            None => fail(at, "unexpected ']'"),
        }
    }

    /// Consumes bytes of the tree. Returns `Some(n)` when its closing `]` was the `n`-th byte.
    pub fn feed(&mut self, buf: &[u8]) -> Result<Option<usize>, Fail> {
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            match self.st {
                St::Number => {
                    if let Some(d) = b.checked_sub(b'0').filter(|d| *d <= 9) {
                        self.cur = match self.cur.checked_mul(10).and_then(|c| c.checked_add(u64::from(d))) {
                            Some(c) => c,
                            None => return fail(i, "integer too large for 64 bits"),
                        };
                        i += 1;
                        continue;
                    }
                    self.number(i, self.cur)?;
                    self.st = St::CommaOrEnd;
                    continue;
                }
                _ if matches!(b, b' ' | b'\n' | b'\r' | b'\t') => {}
                St::Open => {
                    if b != b'[' {
                        return fail(i, format!("expected '[' but found {}", show_byte(b)));
                    }
                    self.open(i)?;
                    self.st = St::FirstOrEnd;
                }
                St::FirstOrEnd | St::Value => match b {
                    b'0'..=b'9' => {
                        if self.lists.last().is_some_and(|l| l.field == self.pos[2]) {
                            return fail(i, "expected '[' (a trace_tree node's children) but found a number");
                        }
                        self.start_value(i)?;
                        self.cur = u64::from(b - b'0');
                        self.st = St::Number;
                    }
                    b'[' => {
                        self.start_value(i)?;
                        self.open(i)?;
                        self.st = St::FirstOrEnd;
                    }
                    b']' if self.st == St::FirstOrEnd => {
                        if self.close(i)? {
                            return Ok(Some(i + 1));
                        }
                        self.st = St::CommaOrEnd;
                    }
                    b'-' => return fail(i, "negative number where a non-negative integer is expected"),
                    _ => return fail(i, format!("expected an integer or '[' but found {}", show_byte(b))),
                },
                St::CommaOrEnd => match b {
                    b',' => self.st = St::Value,
                    b']' => {
                        if self.close(i)? {
                            return Ok(Some(i + 1));
                        }
                    }
                    _ => return fail(i, format!("expected ',' or ']' but found {}", show_byte(b))),
                },
            }
            i += 1;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use crate::snapshot::{parse_bytes, SnapshotParser};

    /// Two objects allocated by `make` (called from `main`), one by `main`; fields in an order
    /// other than V8's, to show they are read by name.
    const SNAP: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],
"node_types":[["synthetic","object"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]],
"trace_function_info_fields":["function_id","script_id","name","script_name","column","line"],
"trace_node_fields":["id","count","children","function_info_index","size"]},"node_count":4,"edge_count":3},
"nodes":[0,0,1,0,3,0, 1,1,3,16,0,7, 1,1,5,16,0,7, 1,1,7,16,0,5],
"edges":[0,1,6,0,2,12,0,3,18],
"trace_function_infos":[10,0,2,0,0,0, 11,9,3,4,5,2, 12,9,5,4,18,4],
"trace_tree":[1,0,[5,2,[7,2,[],2,32]
,1,16],0,0],
"strings":["","Thing","(root)","main","app.js","make"]}"#;

    #[test]
    fn stacks_are_read_by_field_name_in_any_chunking() {
        for size in [1, 2, 3, 7, 64, SNAP.len()] {
            let mut p = SnapshotParser::new();
            for c in SNAP.as_bytes().chunks(size) {
                p.push(c).unwrap();
            }
            let s = p.finish().unwrap();
            assert_eq!(s.node_trace, vec![0, 7, 7, 5]);
            assert_eq!(s.trace_of(2), s.trace_of(1));
            let t = s.trace_of(1).unwrap();
            let frames: Vec<(String, String, u32, u32)> = s
                .traces
                .stack(t, 5)
                .iter()
                .map(|f| (s.strings.get(f.name).into(), s.strings.get(f.script_name).into(), f.line, f.column))
                .collect();
            assert_eq!(frames, [("make".into(), "app.js".into(), 4, 18), ("main".into(), "app.js".into(), 2, 5)]);
            assert_eq!(s.traces.stack(s.trace_of(3).unwrap(), 5).len(), 1);
            assert_eq!(s.traces.stack(t, 1).len(), 1);
            assert_eq!(s.trace_of(0), None);
        }
    }

    #[test]
    fn no_traces_means_empty() {
        let plain = SNAP
            .replace(",\"trace_node_id\"", "")
            .replace(
                "0,0,1,0,3,0, 1,1,3,16,0,7, 1,1,5,16,0,7, 1,1,7,16,0,5",
                "0,0,1,0,3, 1,1,3,16,0, 1,1,5,16,0, 1,1,7,16,0",
            )
            .replace("[0,1,6,0,2,12,0,3,18]", "[0,1,5,0,2,10,0,3,15]");
        let s = parse_bytes(plain.as_bytes()).unwrap();
        assert!(s.node_trace.is_empty());
        assert_eq!(s.trace_of(1), None);
        assert!(!s.traces.is_empty());
    }

    #[track_caller]
    fn err(text: &str) -> String {
        parse_bytes(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn bad_trees_fail_at_their_byte() {
        let at = SNAP.find("\"trace_tree\":").unwrap() + 13;
        let e = err(&SNAP.replace("[1,0,[5,2,", "[1,0,5,[5,2,"));
        assert!(e.contains("expected '[' (a trace_tree node's children) but found a number"), "{e}");
        assert!(e.starts_with(&format!("at byte {}:", at + 5)), "{e} {at}");
        let e = err(&SNAP.replace(",1,16],0,0]", ",1],0,0]"));
        assert!(e.contains("has 4 of the 5 fields"), "{e}");
        let e = err(&SNAP.replace("[7,2,[],2,32]", "[7,2,[],9,32]"));
        assert!(e.contains("names function 9 but \"trace_function_infos\" holds 3 functions"), "{e}");
        assert!(e.starts_with(&format!("at byte {at}:")), "{e}");
        let e = err(&SNAP.replace("12,9,5,4,18,4]", "12,9,50,4,18,4]"));
        assert!(e.contains("a trace function names string 50"), "{e}");
        let e = err(&SNAP.replace("[1,0,[5,2,", "[1,0,[-5,2,"));
        assert!(e.contains("negative number"), "{e}");
    }

    #[test]
    fn a_deep_tree_is_bounded_without_recursion() {
        let deep = "[1,0,".repeat(super::MAX_DEPTH + 1);
        let e = err(&SNAP.replace("[1,0,[5,2,[7,2,[],2,32]\n,1,16],0,0]", &deep));
        assert!(e.contains("nested more than 100000 levels deep"), "{e}");
        // Within the bound, a deep stack parses and its stack walk is capped.
        let depth = 50_000;
        let tree = format!("{}[]{}", "[1,0,".repeat(depth), ",0,0]".repeat(depth));
        let s = parse_bytes(SNAP.replace("[1,0,[5,2,[7,2,[],2,32]\n,1,16],0,0]", &tree).as_bytes()).unwrap();
        assert_eq!(s.traces.nodes.len(), depth);
        assert_eq!(s.traces.stack(depth - 1, 5).len(), 5);
    }
}
