//! The `"locations"` array: where V8 says each function (closure node) was defined.
//!
//! `snapshot.meta.location_fields` names the record's fields (V8: `object_index`, `script_id`,
//! `line`, `column`; lines and columns 0-based). Records are read by field name like nodes and
//! edges; a snapshot without `location_fields` (older V8, hand-written files) has its
//! `"locations"` value skipped. Locations are extra information that no count depends on, so a
//! record that does not name a node (an `object_index` that is not a node offset, or past the
//! last node: dropped by `validate`) or a value over 32 bits drops that record instead of
//! failing a snapshot that is otherwise fine; malformed JSON is still an error.

use super::meta::Layout;
use super::numbers::IntSink;
use crate::snapshot::SourceLocation;

pub(crate) struct LocationSink {
    fields: usize,
    /// Positions of object_index, script_id, line, column in a record.
    pos: [usize; 4],
    node_fields: u64,
    pub locations: Vec<SourceLocation>,
    pub values: u64,
}

impl LocationSink {
    /// `None` when the header does not describe location records (the caller skips the value).
    pub fn new(layout: &Layout) -> Option<LocationSink> {
        let f = &layout.location_fields;
        let at = |name: &str| f.iter().position(|x| x == name);
        let pos = [at("object_index")?, at("script_id")?, at("line")?, at("column")?];
        if f.len() > super::numbers::MAX_FIELDS {
            return None;
        }
        Some(LocationSink {
            fields: f.len(),
            pos,
            node_fields: layout.node_fields().max(1) as u64,
            locations: Vec::new(),
            values: 0,
        })
    }
}

impl IntSink for LocationSink {
    fn fields(&self) -> usize {
        self.fields
    }

    fn record(&mut self, rec: &[u64]) -> Result<(), String> {
        let [o, s, l, c] = self.pos;
        let object = rec[o];
        let u32_of = |v: u64| u32::try_from(v).ok();
        let parsed = (object % self.node_fields == 0).then_some(()).and_then(|()| {
            Some(SourceLocation {
                node: u32_of(object / self.node_fields)?,
                script_id: u32_of(rec[s])?,
                line: u32_of(rec[l])?,
                column: u32_of(rec[c])?,
            })
        });
        if let Some(loc) = parsed {
            self.locations.push(loc);
        }
        self.values += self.fields as u64;
        Ok(())
    }

    fn end(&mut self, partial: usize) {
        self.values += partial as u64;
    }
}

/// The locations naming one of the `node_count` nodes, sorted by node, the first of each node's
/// kept (V8 writes them in its own order, not by node). A radix sort: two or three passes of
/// 11 bits over the records instead of a comparison sort (one tenth of the parse's user time
/// on a 1M-closure snapshot).
pub(super) fn by_node(mut locs: Vec<SourceLocation>, node_count: u64) -> Vec<SourceLocation> {
    locs.retain(|x| u64::from(x.node) < node_count);
    let bits = 32 - locs.iter().map(|x| x.node).max().unwrap_or(0).leading_zeros();
    let mut other = vec![SourceLocation::default(); locs.len()];
    let mut shift = 0;
    while shift < bits {
        // Stable counting sort on bits `shift..shift + 11` of the node.
        let digit = |x: &SourceLocation| ((x.node >> shift) & 0x7FF) as usize;
        let mut start = [0usize; 1 << 11];
        for x in &locs {
            start[digit(x)] += 1;
        }
        let mut sum = 0;
        for s in start.iter_mut() {
            (*s, sum) = (sum, sum + *s);
        }
        for x in &locs {
            let d = digit(x);
            other[start[d]] = *x;
            start[d] += 1;
        }
        std::mem::swap(&mut locs, &mut other);
        shift += 11;
    }
    drop(other);
    locs.dedup_by_key(|x| x.node);
    locs.shrink_to_fit();
    locs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_node_is_a_stable_sort_keeping_each_nodes_first() {
        let mut seed = 0x1234_5678_9ABC_DEF1u64;
        for n in [0usize, 1, 2, 100, 5000] {
            for max in [1u32, 7, 2048, 4_000_000, u32::MAX] {
                let locs: Vec<SourceLocation> = (0..n)
                    .map(|k| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        let node = if max == u32::MAX { seed as u32 } else { (seed % u64::from(max)) as u32 };
                        SourceLocation { node, script_id: k as u32, line: 0, column: 0 }
                    })
                    .collect();
                let node_count = u64::from(max / 2).max(1);
                let mut want = locs.clone();
                want.retain(|x| u64::from(x.node) < node_count);
                want.sort_by_key(|x| x.node);
                want.dedup_by_key(|x| x.node);
                assert_eq!(by_node(locs, node_count), want, "{n} locations below {max}");
            }
        }
    }
}
