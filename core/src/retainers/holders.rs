//! Holders first: the grown or leaked objects grouped by the object that holds them.
//!
//! The *holder* of a gained object is the nearest object above it on its retainer path that
//! already existed before (so its own contents grew) and that user code can name: an object or
//! native object (a `Map`, `Set`, array, plain object used as a bag, a listener array), a closure
//! or a closure context (`system / Context`). V8's internal pieces in between (a Map's backing
//! table, an array's elements store) are looked through, so `(global) leakyCache -> Map table ->
//! [k17] -> LeakingClass` is held by the Map. A chain's new links are held by what holds the
//! chain (a queue's `head`), not by its old tail, and count with the first new link; runtime
//! timers are grouped by their callback (docs/retainers.md, "Timers and chains"). Objects
//! with no such holder below a GC root are held by that root (`(Global handles)`, ...).
//!
//! Holders are ranked by the retained size they gained; each reads in one line:
//! `cachedItems (leaky-app.js:11:68) Array +1000 Object, +63.3 kb`, the location being that of
//! the nearest closure on the holder's path (the code whose variable it is).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::class::{class_of, is_internal_class, Scheme};
use crate::node_sets::Bits;
use crate::size::nice_size;
use crate::snapshot::{EdgeType, HeapSnapshot, NodeType};

use super::allocations::{allocation_stacks, AllocationStack};
use super::analysis::SnapshotAnalysis;
use super::dominators::NONE;
use super::paths::RetainerPath;

/// Gained objects of one class under a holder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ClassCount {
    pub class: String,
    pub count: u64,
    pub retained_size: u64,
}

/// One holder and what it gained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Holder {
    /// The report's line: `name (file:line:col) Class +count TopClass, +size`.
    pub headline: String,
    /// The variable, property or key it is reached by (`leakyCache`, `cachedItems`, `[3]`).
    pub name: String,
    /// Its class (DevTools scheme: `Map`, `Array`, `system / Context`, ...).
    pub class: String,
    /// `file:line:col` of the nearest closure on its path (whose variable it is), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub node_id: u32,
    /// From a GC root to the holder.
    pub path: RetainerPath,
    /// Gained objects under it (those no other gained object holds).
    pub gained_objects: u64,
    /// Their retained size: what the holder grew by.
    pub gained_retained_size: u64,
    /// The holder's own retained size now.
    pub retained_size: u64,
    /// The gained objects by class, user classes first, then by retained size (at most 5).
    pub classes: Vec<ClassCount>,
    /// A path past the holder to its largest gained object of a user class.
    pub example: RetainerPath,
    /// Where the gained objects were allocated, when the snapshot recorded allocation stacks
    /// (at most 3 stacks of 5 frames; absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<AllocationStack>,
}

/// Most classes listed per holder.
const CLASSES_PER_HOLDER: usize = 5;

/// Groups `gained` (nodes no other gained node dominates) by holder, largest gained retained size
/// first, at most `max` (0: all). `existed(n)`: node `n` was there before the growth;
/// `is_gained(n)`: `n` is one of the gained objects (the ones in `gained` and those they hold).
pub fn holders(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    gained: &[u32],
    existed: impl Fn(usize) -> bool,
    is_gained: impl Fn(usize) -> bool,
    max: usize,
) -> Vec<Holder> {
    if gained.is_empty() {
        return Vec::new();
    }
    let qualifies = |p: usize| {
        p != 0
            && existed(p)
            && match snap.node_kind(p) {
                NodeType::Object | NodeType::Native => {
                    let name = snap.node_name_str(p);
                    !name.starts_with("system / ") || is_context(name)
                }
                NodeType::Hidden => is_context(snap.node_name_str(p)),
                NodeType::Closure | NodeType::Synthetic => true,
                _ => false,
            }
    };
    // The nearest qualifying node at or above `x` on its path (NONE if none).
    let holder_from = |mut x: u32| loop {
        if qualifies(x as usize) {
            break x;
        }
        match a.paths.parent(x) {
            Some(p) => x = p,
            None => break NONE,
        }
    };
    let mut memo = NodeMemo::new(snap.node_count());
    let mut anchors = NodeMemo::new(snap.node_count());
    let mut chain: Vec<u32> = Vec::new();
    let mut by_holder: HashMap<Key, Vec<u32>> = HashMap::new();
    for &v in gained {
        // A runtime timer is held by the runtime's timer list; the code that leaks it is the
        // callback: timers group by the callback's function.
        if let Some((cb, kind)) = timer_callback(snap, v as usize) {
            let f = target_by_name(snap, cb, EdgeType::Internal, "shared").unwrap_or(cb);
            by_holder.entry(Key::Timer(f as u32, kind)).or_default().push(v);
            continue;
        }
        chain.clear();
        let mut x = v;
        let h = loop {
            if let Some(h) = memo.get(x) {
                break h;
            }
            chain.push(x);
            match a.paths.parent(x) {
                None => break NONE,
                Some(p) if qualifies(p as usize) => break p,
                Some(p) => x = p,
            }
        };
        for &c in &chain {
            memo.insert(c, h);
        }
        // A link of a chain (an old `QueueNode` holding the first new one by `next`) is not
        // what holds the chain: the object above its first link is (`jobs -> head`).
        let h = if h != NONE && a.paths.parent(v) == Some(h) && same_class(snap, h as usize, v as usize) {
            chain_anchor(snap, a, h, &mut anchors, &holder_from)
        } else {
            h
        };
        if h != NONE {
            by_holder.entry(Key::Node(h)).or_default().push(v);
        }
    }
    let mut ranked: Vec<(Key, Vec<u32>, u64)> = by_holder
        .into_iter()
        .map(|(h, members)| {
            let size = members.iter().map(|&m| a.retained[m as usize]).sum();
            (h, members, size)
        })
        .collect();
    // Objects of no size (read-only space strings a root group lists) explain no growth.
    ranked.retain(|x| x.2 > 0);
    ranked.sort_by(|x, y| y.2.cmp(&x.2).then(y.1.len().cmp(&x.1.len())).then(x.0.cmp(&y.0)));
    if max > 0 {
        ranked.truncate(max);
    }
    let mut walk = Walk { seen: Bits::new(snap.node_count()), queue: std::collections::VecDeque::new() };
    ranked
        .into_iter()
        .filter_map(|(h, members, size)| match h {
            Key::Node(h) => describe(snap, a, h, &members, size, &is_gained, &mut walk),
            Key::Timer(_, kind) => describe_timers(snap, a, kind, &members, size),
        })
        .collect()
}

/// A node -> node (or [`NONE`]) memo for walks up the path tree, 4 bytes per node in a zeroed
/// vector (untouched pages cost nothing). A 1M-link chain memoises a million links: a `HashMap`
/// held ~28 MB at its peak there (rehashing), this 4 bytes per node. Stored as value + 2 so that
/// 0 means unset and NONE (u32::MAX) is 1; the node index u32::MAX - 1 would read as unset (only
/// in a snapshot of 2^32 - 1 nodes, hundreds of GB of file).
struct NodeMemo(Vec<u32>);

impl NodeMemo {
    fn new(nodes: usize) -> NodeMemo {
        NodeMemo(vec![0; nodes])
    }

    fn get(&self, x: u32) -> Option<u32> {
        match self.0.get(x as usize) {
            Some(0) | None => None,
            Some(&v) => Some(v.wrapping_sub(2)),
        }
    }

    fn insert(&mut self, x: u32, v: u32) {
        if let Some(slot) = self.0.get_mut(x as usize) {
            *slot = v.wrapping_add(2);
        }
    }
}

/// What gained objects are grouped under: a holder node, or (for runtime timers) the callback's
/// function and the kind of timer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Node(u32),
    Timer(u32, &'static str),
}

/// Same node type and name: links of one chain.
fn same_class(snap: &HeapSnapshot, x: usize, y: usize) -> bool {
    snap.node_type[x] == snap.node_type[y] && snap.node_name[x] == snap.node_name[y]
}

/// The holder of a chain whose old link `h` holds a gained link of its own class: the nearest
/// qualifying node above the chain's first link. Memoised for every link walked (a 1M-link
/// chain is walked once, not once per gained link).
fn chain_anchor(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    h: u32,
    memo: &mut NodeMemo,
    holder_from: &dyn Fn(u32) -> u32,
) -> u32 {
    if let Some(r) = memo.get(h) {
        return r;
    }
    let mut links = vec![h];
    let mut x = h;
    let found = loop {
        match a.paths.parent(x) {
            Some(p) if same_class(snap, p as usize, h as usize) => {
                if let Some(r) = memo.get(p) {
                    break Some(r);
                }
                links.push(p);
                x = p;
            }
            _ => break None,
        }
    };
    let r = found.unwrap_or_else(|| match a.paths.parent(x) {
        Some(p) => match holder_from(p) {
            NONE => h,
            r => r,
        },
        None => h,
    });
    for l in links {
        memo.insert(l, r);
    }
    r
}

/// A runtime timer object (Node's `Timeout`/`Immediate`, `memwatch run`'s `Timeout`): its
/// callback closure and how it was made. `_repeat` is null (an oddball) for a `setTimeout`;
/// an interval's number is a small integer or a heap number.
fn timer_callback(snap: &HeapSnapshot, n: usize) -> Option<(usize, &'static str)> {
    if snap.node_kind(n) != NodeType::Object {
        return None;
    }
    let (field, immediate) = match snap.node_name_str(n) {
        "Timeout" => ("_onTimeout", false),
        "Immediate" => ("_onImmediate", true),
        _ => return None,
    };
    let cb = target_by_name(snap, n, EdgeType::Property, field).filter(|&c| snap.node_kind(c) == NodeType::Closure)?;
    let once = target_by_name(snap, n, EdgeType::Property, "_repeat")
        .is_some_and(|r| snap.node_name_str(r) == "system / Oddball");
    Some((
        cb,
        if immediate {
            "setImmediate"
        } else if once {
            "setTimeout"
        } else {
            "setInterval"
        },
    ))
}

/// The target of `from`'s first edge of type `t` named `name`.
fn target_by_name(snap: &HeapSnapshot, from: usize, t: EdgeType, name: &str) -> Option<usize> {
    snap.edges_of(from)
        .find(|&e| {
            snap.edge_kind(e) == t
                && snap.strings.get(snap.edge_name_or_index[e]) == name
                && (snap.edge_to[e] as usize) < snap.node_count()
        })
        .map(|e| snap.edge_to[e] as usize)
}

/// Timers grouped by callback: `setInterval callback pollUploadStatus (upload.js:4:40) ->
/// context -> job [UploadJob] +500 UploadJob, +421.88 kb`. What leaks is what the callback
/// keeps: each timer counts as the largest user-class object below it.
fn describe_timers(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    kind: &str,
    members: &[u32],
    size: u64,
) -> Option<Holder> {
    let user = |c: &str| !is_internal_class(c) && !c.starts_with('(');
    let timer = members.iter().copied().max_by_key(|&m| (a.retained[m as usize], std::cmp::Reverse(m)))?;
    let (cb, _) = timer_callback(snap, timer as usize)?;
    let mut per_class: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut pick: Option<u32> = None;
    let mut budget = TIMER_DESCENT_BUDGET;
    for &m in members {
        let below = if budget > 0 { largest_user_object_under(snap, a, m, &user) } else { None };
        budget = budget.saturating_sub(1);
        let x = below.unwrap_or(m);
        let c = class_of(snap, x as usize, Scheme::DevTools).unwrap_or("(unknown)");
        let e = per_class.entry(c).or_default();
        e.0 += 1;
        e.1 += a.retained[x as usize];
        if m == timer {
            pick = Some(x);
        }
    }
    let classes = rank_classes(per_class);
    let pick = pick.unwrap_or(timer);
    let path = a.paths.path_to(snap, timer)?;
    let example = a.paths.path_to(snap, pick).unwrap_or_else(|| path.clone());
    let fname = match snap.node_name_str(cb) {
        "" => "(anonymous)".to_string(),
        n => truncate(n, 60),
    };
    let name = format!("{kind} callback {fname}");
    let location = a.paths.sources().location(snap, cb);
    // The path from the callback down to what it keeps: `-> context -> job [UploadJob]`.
    let below = match example.hops.iter().position(|h| h.node_index as usize == cb) {
        Some(i) if i + 1 < example.hops.len() => {
            let rest = &example.hops[i + 1..];
            let mut t: String = rest.iter().map(|h| format!(" -> {}", hop_name(h))).collect();
            if let Some(last) = rest.last() {
                let c = class_of(snap, last.node_index as usize, Scheme::DevTools).unwrap_or("(unknown)");
                t.push_str(&format!(" [{}]", truncate(c, 60)));
            }
            t
        }
        _ => String::new(),
    };
    let class = class_of(snap, timer as usize, Scheme::DevTools).unwrap_or("Timeout").to_string();
    let top = classes.first().map_or(String::new(), |c| format!(" +{} {}", c.count, c.class));
    let at = location.as_ref().map_or(String::new(), |l| format!(" ({l})"));
    let headline = format!("{name}{at}{below}{top}, +{}", nice_size(size as i64));
    Some(Holder {
        headline,
        name,
        class,
        location,
        node_id: snap.node_id[timer as usize],
        path,
        gained_objects: members.len() as u64,
        gained_retained_size: size,
        retained_size: size,
        classes,
        example,
        allocations: allocation_stacks(snap, a, members),
    })
}

/// Most timers looked below for what their callbacks keep (the rest count as themselves).
const TIMER_DESCENT_BUDGET: usize = 10_000;

/// How a hop reads in a headline: a variable or property by name, an index as `[i]`.
fn hop_name(h: &super::paths::Hop) -> String {
    match h.edge_type.as_str() {
        "element" | "hidden" => format!("[{}]", h.edge_name),
        _ => truncate(&h.edge_name, 60),
    }
}

/// Classes by user class first, then retained size, count, name; at most [`CLASSES_PER_HOLDER`].
fn rank_classes(per_class: HashMap<&str, (u64, u64)>) -> Vec<ClassCount> {
    let user = |c: &str| !is_internal_class(c) && !c.starts_with('(');
    let mut classes: Vec<ClassCount> = per_class
        .into_iter()
        .map(|(class, (count, retained_size))| ClassCount { class: class.to_string(), count, retained_size })
        .collect();
    classes.sort_by(|x, y| {
        user(&y.class)
            .cmp(&user(&x.class))
            .then(y.retained_size.cmp(&x.retained_size))
            .then(y.count.cmp(&x.count))
            .then_with(|| x.class.cmp(&y.class))
    });
    classes.truncate(CLASSES_PER_HOLDER);
    classes
}

#[allow(clippy::too_many_arguments)]
fn describe(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    h: u32,
    members: &[u32],
    size: u64,
    is_gained: &dyn Fn(usize) -> bool,
    walk: &mut Walk,
) -> Option<Holder> {
    let path = a.paths.path_to(snap, h)?;
    let hn = h as usize;
    let mut class = class_of(snap, hn, Scheme::DevTools).unwrap_or("(unknown)").to_string();
    let mut name = match path.hops.last() {
        Some(hop) if hop.edge_type == "element" || hop.edge_type == "hidden" => format!("[{}]", hop.edge_name),
        Some(hop) if !hop.edge_name.is_empty() && !hop.edge_name.bytes().all(|b| b.is_ascii_digit()) => {
            truncate(&hop.edge_name, 60)
        }
        _ => match snap.node_name_str(hn) {
            "" => class.clone(),
            n => truncate(n, 60),
        },
    };
    let location = nearest_closure_location(snap, a, h);

    // A gained object heading a chain (the first new link of a queue, the newest of a series of
    // contexts each keeping the previous value) holds the chain's other gained members of its
    // class: they count as gained objects of that class.
    // Only user classes chain: a concatenated string's parts or an array's nested arrays are how
    // V8 stores one value, not more gained objects.
    let user = |c: &str| !is_internal_class(c) && !c.starts_with('(');
    let mut per_class: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut gained_objects = 0u64;
    for &m in members {
        let c = class_of(snap, m as usize, Scheme::DevTools).unwrap_or("(unknown)");
        let k = 1 + if user(c) { same_class_below(snap, a, m, is_gained, walk) } else { 0 };
        gained_objects += k;
        let e = per_class.entry(c).or_default();
        e.0 += k;
        e.1 += a.retained[m as usize];
    }
    let classes = rank_classes(per_class);

    // The largest gained object of a user class (else the largest), for the example path.
    let pick = members
        .iter()
        .copied()
        .max_by_key(|&m| {
            let c = class_of(snap, m as usize, Scheme::DevTools).unwrap_or("(unknown)");
            (user(c), a.retained[m as usize], std::cmp::Reverse(m))
        })
        .unwrap_or(h);
    // A gained closure is code: continue to the largest object of a user class it keeps alive
    // (a listener's subscriber), so the example ends at what leaks.
    let pick = match class_of(snap, pick as usize, Scheme::DevTools) {
        Some("(closure)") => largest_user_object_under(snap, a, pick, &user).unwrap_or(pick),
        _ => pick,
    };
    let example = a.paths.path_to(snap, pick).unwrap_or_else(|| path.clone());
    // A global object or a closure context is a scope, not a bag: name the variable or property
    // the example goes through (`chainHead`, a module's `cache`) and its class.
    // (Hop lists keep their first 32 hops, so the hop past a short holder path is listed.)
    if is_scope(snap, hn) && path.hops.len() < 32 {
        let past = example.hops.get(path.hops.len());
        if let Some(hop) = past.filter(|x| x.edge_type == "property" || x.edge_type == "context") {
            name = truncate(&hop.edge_name, 60);
            class = class_of(snap, hop.node_index as usize, Scheme::DevTools).unwrap_or("(unknown)").to_string();
        }
    }

    let top = classes.first().map_or(String::new(), |c| format!(" +{} {}", c.count, c.class));
    let at = location.as_ref().map_or(String::new(), |l| format!(" ({l})"));
    let headline = format!("{name}{at} {class}{top}, +{}", nice_size(size as i64));
    Some(Holder {
        headline,
        name,
        class,
        location,
        node_id: snap.node_id[hn],
        path,
        gained_objects,
        gained_retained_size: size,
        retained_size: a.retained[hn],
        classes,
        example,
        allocations: allocation_stacks(snap, a, members),
    })
}

/// Buffers of [`same_class_below`], shared by a report's holders.
struct Walk {
    seen: Bits,
    queue: std::collections::VecDeque<u32>,
}

/// Gained nodes of `top`'s class (type and name) that `top` dominates: the rest of a chain it
/// heads. Breadth-first over the dominator subtree; `seen` marks visited nodes (subtrees of
/// distinct gained roots are disjoint, so the whole report visits each node at most once).
fn same_class_below(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    top: u32,
    is_gained: &dyn Fn(usize) -> bool,
    walk: &mut Walk,
) -> u64 {
    let mut count = 0u64;
    let Walk { seen, queue } = walk;
    queue.clear();
    queue.push_back(top);
    seen.set(top as usize);
    while let Some(x) = queue.pop_front() {
        for e in snap.edges_of(x as usize) {
            let y = snap.edge_to[e];
            if (y as usize) >= snap.node_count() || seen.get(y as usize) || a.dominators.idom(y) != Some(x) {
                continue;
            }
            seen.set(y as usize);
            queue.push_back(y);
            if same_class(snap, y as usize, top as usize) && is_gained(y as usize) {
                count += 1;
            }
        }
    }
    count
}

/// The node of a user class with the largest retained size among those `top` dominates
/// (breadth-first over the dominator subtree, at most [`SUBTREE_LIMIT`] nodes).
fn largest_user_object_under(
    snap: &HeapSnapshot,
    a: &SnapshotAnalysis,
    top: u32,
    user: &dyn Fn(&str) -> bool,
) -> Option<u32> {
    let mut inside: std::collections::HashSet<u32> = std::collections::HashSet::from([top]);
    let mut queue = std::collections::VecDeque::from([top]);
    let mut best: Option<(u64, u32)> = None;
    while let Some(x) = queue.pop_front() {
        for e in snap.edges_of(x as usize) {
            let y = snap.edge_to[e];
            if inside.len() >= SUBTREE_LIMIT || inside.contains(&y) || a.dominators.idom(y) != Some(x) {
                continue;
            }
            inside.insert(y);
            queue.push_back(y);
            if class_of(snap, y as usize, Scheme::DevTools).is_some_and(user) {
                let r = a.retained[y as usize];
                if best.is_none_or(|(br, _)| r > br) {
                    best = Some((r, y));
                }
            }
        }
    }
    best.map(|(_, y)| y)
}

/// Most nodes looked at below one gained object for [`largest_user_object_under`].
const SUBTREE_LIMIT: usize = 10_000;

/// A global object (reached by the root's shortcut) or a closure context.
fn is_scope(snap: &HeapSnapshot, n: usize) -> bool {
    is_context(snap.node_name_str(n))
        || snap
            .edges_of(0)
            .any(|e| snap.edge_to[e] as usize == n && snap.edge_kind(e) == crate::snapshot::EdgeType::Shortcut)
}

/// The location of the holder itself when it is a closure, else of the nearest closure above
/// it; when no closure is on the path (a module's variables reached from the stack or a script
/// context), of the first function defined in the nearest scope (context) above it, which is in
/// the file that declares the variable.
fn nearest_closure_location(snap: &HeapSnapshot, a: &SnapshotAnalysis, h: u32) -> Option<String> {
    let mut x = Some(h);
    let mut scope: Option<usize> = None;
    while let Some(n) = x {
        let n = n as usize;
        if snap.node_kind(n) == NodeType::Closure {
            if let Some(l) = a.paths.sources().location(snap, n) {
                return Some(l);
            }
        }
        if scope.is_none() && is_context(snap.node_name_str(n)) {
            scope = Some(n);
        }
        x = a.paths.parent(n as u32);
    }
    // No scope above it (its path came in through a runtime handle): the scope that declares
    // it as a variable, if one does.
    let ctx = scope.or_else(|| declaring_context(snap, h as usize))?;
    // Closures of that scope: their `context` edge points at it. First defined wins.
    let closure = snap
        .locations
        .iter()
        .filter(|l| {
            let c = l.node as usize;
            snap.node_kind(c) == NodeType::Closure
                && snap.edges_of(c).any(|e| {
                    snap.edge_to[e] as usize == ctx
                        && snap.edge_kind(e) == crate::snapshot::EdgeType::Internal
                        && snap.strings.get(snap.edge_name_or_index[e]) == "context"
                })
        })
        .min_by_key(|l| (l.line, l.column))?;
    a.paths.sources().location(snap, closure.node as usize)
}

/// A closure context holding `h` in one of its variables (one scan over the contexts' edges;
/// only for objects, the root groups are nobody's variables).
fn declaring_context(snap: &HeapSnapshot, h: usize) -> Option<usize> {
    if !matches!(snap.node_kind(h), NodeType::Object | NodeType::Native) {
        return None;
    }
    (0..snap.node_count()).find(|&c| {
        is_context(snap.node_name_str(c))
            && snap.edges_of(c).any(|e| snap.edge_to[e] as usize == h && snap.edge_kind(e) == EdgeType::Context)
    })
}

/// A closure context: `system / Context` in Node's snapshots, `system / Context / scope @123`
/// in the v8 crate's (`memwatch run`).
fn is_context(name: &str) -> bool {
    name == "system / Context" || name.starts_with("system / Context / ")
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
